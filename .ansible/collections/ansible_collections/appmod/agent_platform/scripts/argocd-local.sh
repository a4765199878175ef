#!/usr/bin/env bash
# Real Argo CD (application controller + repo server, built here from the pinned Go
# module in tools/argocd) running out of cluster against the local control plane of
# scripts/local-cluster.sh, the way Argo CD's own Procfile runs it for local development
# (ARGOCD_FAKE_IN_CLUSTER=true, plaintext gRPC between the components, a local redis).
# Everything listens on 127.0.0.1 (except the controller's metrics port, which Argo CD
# hard-codes to 0.0.0.0).
#
#   bash scripts/argocd-local.sh build     build (or reuse) $CACHE_ROOT/argocd/<version>/bin/argocd
#   bash scripts/argocd-local.sh up        config objects + redis, git daemon, repo-server,
#                                          application-controller (no-op when already up)
#   bash scripts/argocd-local.sh publish [--repo NAME] [DIR]
#                                          copy DIR (default gitops/, committed or not) into a
#                                          new commit on main of .local-cluster/git/NAME.git
#                                          (default NAME agent-platform); prints the commit
#   bash scripts/argocd-local.sh status    one line per process; exit 1 unless all are up
#   bash scripts/argocd-local.sh down      stop the processes started by `up`
#   bash scripts/argocd-local.sh env       ports and URLs as shell assignments
#
# Applications use repoURL git://127.0.0.1:${ARGOCD_LOCAL_GIT_PORT}/agent-platform.git and
# destination https://kubernetes.default.svc (see docs/argocd-local.md).
#
# Environment (all optional): ARGOCD_LOCAL_REDIS_PORT (16379), ARGOCD_LOCAL_REPO_PORT
# (18081), ARGOCD_LOCAL_GIT_PORT (19418), ARGOCD_LOCAL_REPO_METRICS_PORT (18084),
# ARGOCD_LOCAL_CTRL_METRICS_PORT (18082), ARGOCD_LOCAL_KUBECONFIG
# (.local-cluster/kubeconfig), ARGOCD_LOCAL_DIR (.local-cluster/argocd), ARGOCD_LOCAL_GIT_DIR
# (.local-cluster/git, the bare repositories),
# ARGOCD_LOCAL_LOGLEVEL (info), ARGOCD_LOCAL_APP_RESYNC (60 s), ARGOCD_GOTOOLCHAIN (go1.27.3).
source "$(dirname "$0")/lib.sh"
cd "$PROJECT_ROOT"

GO="${GO:-/usr/local/go/bin/go}"
# v3.6.1 needs Go >= 1.27.0 (see tools/argocd/go.mod); the module proxy serves the toolchain.
ARGOCD_GOTOOLCHAIN="${ARGOCD_GOTOOLCHAIN:-go1.27.3}"
# Single source of truth for the version: the wrapper module's requirement.
ARGOCD_VERSION="$(awk '$1=="github.com/argoproj/argo-cd/v3" {print $2; exit}' tools/argocd/go.mod)"
[[ -n "$ARGOCD_VERSION" ]] || die "cannot read the argo-cd version from tools/argocd/go.mod"
ARGOCD_BIN_DIR="${CACHE_ROOT}/argocd/${ARGOCD_VERSION}/bin"
ARGOCD_BIN="${ARGOCD_BIN_DIR}/argocd"

STATE_DIR="${ARGOCD_LOCAL_DIR:-${PROJECT_ROOT}/.local-cluster/argocd}"
GIT_ROOT="${ARGOCD_LOCAL_GIT_DIR:-${PROJECT_ROOT}/.local-cluster/git}"
GIT_REPO_NAME="agent-platform.git"
KUBECONFIG_FILE="${ARGOCD_LOCAL_KUBECONFIG:-${PROJECT_ROOT}/.local-cluster/kubeconfig}"
REDIS_PORT="${ARGOCD_LOCAL_REDIS_PORT:-16379}"
REPO_PORT="${ARGOCD_LOCAL_REPO_PORT:-18081}"
GIT_PORT="${ARGOCD_LOCAL_GIT_PORT:-19418}"
REPO_METRICS_PORT="${ARGOCD_LOCAL_REPO_METRICS_PORT:-18084}"
CTRL_METRICS_PORT="${ARGOCD_LOCAL_CTRL_METRICS_PORT:-18082}"
LOGLEVEL="${ARGOCD_LOCAL_LOGLEVEL:-info}"
APP_RESYNC="${ARGOCD_LOCAL_APP_RESYNC:-60}"
NS=argocd
GIT_URL="git://127.0.0.1:${GIT_PORT}/${GIT_REPO_NAME}"
HEALTH_LUA="${PROJECT_ROOT}/roles/argocd/files/application-health.lua"

kc() { kubectl --kubeconfig "$KUBECONFIG_FILE" --request-timeout=30s "$@"; }

# ---------------------------------------------------------------- build
heartbeat() { # heartbeat PID LABEL: one line every 30 s while PID lives
  local pid=$1 label=$2 start=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    sleep 30
    kill -0 "$pid" 2>/dev/null && log "${label}: still running ($((SECONDS - start)) s)"
  done
}

# The repo server runs `git-verify-wrapper.sh <revision>` on every manifest generation
# (reposerver/repository/repository.go, even with GPG off; without it: "permission denied").
# Argo CD's Dockerfile copies hack/{git-verify-wrapper,gpg-wrapper}.sh next to the binary;
# do the same from the module cache.
install_wrappers() {
  local dir name
  [[ -x "${ARGOCD_BIN_DIR}/git-verify-wrapper.sh" && -x "${ARGOCD_BIN_DIR}/gpg-wrapper.sh" ]] && return 0
  dir="$(cd tools/argocd && GOTOOLCHAIN="$ARGOCD_GOTOOLCHAIN" GOFLAGS=-mod=readonly "$GO" list -m -f '{{.Dir}}' github.com/argoproj/argo-cd/v3)"
  [[ -n "$dir" && -d "${dir}/hack" ]] || die "argo-cd module source not found (go list -m github.com/argoproj/argo-cd/v3)"
  for name in git-verify-wrapper.sh gpg-wrapper.sh; do
    install -m 0755 "${dir}/hack/${name}" "${ARGOCD_BIN_DIR}/${name}"
  done
}

cmd_build() {
  if [[ -x "$ARGOCD_BIN" ]] && "$ARGOCD_BIN" version --client --short >/dev/null 2>&1; then
    install_wrappers
    log "argocd ${ARGOCD_VERSION} already built: ${ARGOCD_BIN}"
    return 0
  fi
  [[ -x "$GO" ]] || die "Go not found at $GO"
  mkdir -p "$ARGOCD_BIN_DIR"
  local start=$SECONDS tmp="${ARGOCD_BIN}.tmp.$$" pkg=github.com/argoproj/argo-cd/v3
  local blog="${ARGOCD_BIN_DIR}/../build.log"
  log "Building argocd ${ARGOCD_VERSION} (${pkg}/cmd) with ${ARGOCD_GOTOOLCHAIN}; this takes a while (log: ${blog})"
  # Same -X flags as Argo CD's Makefile, so `argocd version` reports the release.
  local ldflags="-s -w -X ${pkg}/common.version=${ARGOCD_VERSION#v}"
  ldflags+=" -X ${pkg}/common.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ) -X ${pkg}/common.gitTreeState=clean"
  (
    cd tools/argocd
    export GOTOOLCHAIN="$ARGOCD_GOTOOLCHAIN" CGO_ENABLED=0 GOFLAGS=-mod=readonly
    export GODEBUG="tarinsecurepath=0,zipinsecurepath=0"
    exec nice -n 10 "$GO" build -trimpath -ldflags="$ldflags" -o "$tmp" "${pkg}/cmd"
  ) >"$blog" 2>&1 &
  local bpid=$!
  heartbeat "$bpid" "go build argocd" &
  local hpid=$!
  local rc=0
  wait "$bpid" || rc=$?
  kill "$hpid" 2>/dev/null || true
  wait "$hpid" 2>/dev/null || true
  if [[ $rc -ne 0 ]]; then
    cat "$blog" >&2
    rm -f "$tmp"
    die "go build of argocd ${ARGOCD_VERSION} failed (rc=$rc); log: ${blog}"
  fi
  mv -f "$tmp" "$ARGOCD_BIN"
  local name
  for name in argocd-application-controller argocd-repo-server argocd-git-ask-pass; do
    ln -sfn argocd "${ARGOCD_BIN_DIR}/${name}"
  done
  install_wrappers
  echo "$((SECONDS - start))" >"${ARGOCD_BIN_DIR}/../build-seconds"
  log "Built argocd ${ARGOCD_VERSION} in $((SECONDS - start)) s: $("$ARGOCD_BIN" version --client --short 2>/dev/null)"
}

# ---------------------------------------------------------------- processes
# A pid file holds the pid of a process we started; it only counts while
# /proc/<pid>/cmdline still names the expected program (no recycled pids).
pid_of() { # pid_of NAME PATTERN
  local f="${STATE_DIR}/$1.pid" pid
  [[ -s "$f" ]] || return 1
  pid="$(cat "$f")"
  [[ -r "/proc/${pid}/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/${pid}/cmdline" | grep -q -- "$2" || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_until() { # wait_until LABEL SECONDS CMD...
  local label=$1 limit=$2 start=$SECONDS
  shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS - start < limit)) || return 1
    sleep 1
  done
  log "${label} ready after $((SECONDS - start)) s"
}

start_bg() { # start_bg NAME CMD...
  local name=$1
  shift
  setsid nohup "$@" >>"${STATE_DIR}/logs/${name}.log" 2>&1 </dev/null &
  echo $! >"${STATE_DIR}/${name}.pid"
}

stop_one() { # stop_one NAME PATTERN
  local pid i
  if pid="$(pid_of "$1" "$2")"; then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    log "stopped $1 (pid $pid)"
  fi
  rm -f "${STATE_DIR}/$1.pid"
}

redis_password() { # generated once per state dir, mode 600, never printed
  local f="${STATE_DIR}/redis.password"
  if [[ ! -s "$f" ]]; then
    (umask 077 && openssl rand -hex 24 >"$f")
  fi
  cat "$f"
}

redis_ping() {
  REDISCLI_AUTH="$(redis_password)" redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG
}

ensure_redis_installed() {
  command -v redis-server >/dev/null 2>&1 && return 0
  log "redis-server missing: installing Debian's redis-server"
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq redis-server >&2
  command -v redis-server >/dev/null 2>&1 || die "redis-server still missing after apt-get install"
}

# ---------------------------------------------------------------- config in the cluster
apply_labelled() { # stdin: one object; labels it part-of argocd and applies it server-side
  kc label --local -f - -o yaml "app.kubernetes.io/name=$1" app.kubernetes.io/part-of=argocd \
    | kc apply --server-side --force-conflicts --field-manager=argocd-local -f - >/dev/null
}

apply_config() {
  [[ -s "$HEALTH_LUA" ]] || die "missing $HEALTH_LUA"
  kc get namespace "$NS" >/dev/null 2>&1 || kc create namespace "$NS" >/dev/null
  local crd
  for crd in applications.argoproj.io appprojects.argoproj.io; do
    kc get crd "$crd" >/dev/null 2>&1 || die "CRD $crd missing: scripts/local-cluster.sh up installs it"
  done
  log "applying argocd-cm (Application health Lua), argocd-cmd-params-cm, argocd-rbac-cm, argocd-secret, AppProject default"
  # argocd-cm: the health check of argoproj.io/Application that Argo CD removed in 1.8
  # (argo-cd#3781), as given in Argo CD's docs/operator-manual/health.md, so app-of-apps
  # waves wait for Healthy children, not merely existing ones (argo-cd#16870, #5585, #8358).
  # The Lua file is shared with the role's cluster mode.
  kc create configmap argocd-cm -n "$NS" --dry-run=client -o yaml \
    --from-file=resource.customizations.health.argoproj.io_Application="$HEALTH_LUA" \
    --from-literal=timeout.reconciliation="${APP_RESYNC}s" \
    --from-literal=application.resourceTrackingMethod=annotation \
    | apply_labelled argocd-cm
  # argocd-cmd-params-cm: in a cluster the Deployments turn these keys into env vars. Out of
  # cluster nothing reads it: it records the parameters this script passes as flags.
  kc create configmap argocd-cmd-params-cm -n "$NS" --dry-run=client -o yaml \
    --from-literal=repo.server="127.0.0.1:${REPO_PORT}" \
    --from-literal=redis.server="127.0.0.1:${REDIS_PORT}" \
    --from-literal=controller.repo.server.plaintext=true \
    --from-literal=reposerver.disable.tls=true \
    --from-literal=controller.log.level="$LOGLEVEL" \
    --from-literal=reposerver.log.level="$LOGLEVEL" \
    | apply_labelled argocd-cmd-params-cm
  kc create configmap argocd-rbac-cm -n "$NS" --dry-run=client -o yaml \
    --from-literal=policy.default=role:readonly \
    | apply_labelled argocd-rbac-cm
  # argocd-secret: server.secretkey generated here once, never in git, never printed.
  if ! kc get secret argocd-secret -n "$NS" >/dev/null 2>&1; then
    openssl rand -base64 32 | tr -d '\n' \
      | kc create secret generic argocd-secret -n "$NS" --from-file=server.secretkey=/dev/stdin \
        --dry-run=client -o yaml \
      | apply_labelled argocd-secret
  fi
  # The default AppProject: argocd-server creates it in a normal install; we run no server.
  kc apply --server-side --force-conflicts --field-manager=argocd-local -f - >/dev/null <<EOF
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: default
  namespace: ${NS}
spec:
  sourceRepos: ["*"]
  destinations:
    - server: "*"
      namespace: "*"
  clusterResourceWhitelist:
    - group: "*"
      kind: "*"
EOF
}

# ---------------------------------------------------------------- commands
component_status() { # one line per component; returns 1 if any is down
  local rc=0 pid
  if pid="$(pid_of redis redis-server)" && redis_ping; then
    printf '%-30s ok (pid %s, 127.0.0.1:%s)\n' redis "$pid" "$REDIS_PORT"
  else
    printf '%-30s DOWN\n' redis
    rc=1
  fi
  if pid="$(pid_of git-daemon 'git.daemon')" && port_open "$GIT_PORT"; then
    printf '%-30s ok (pid %s, git://127.0.0.1:%s/)\n' git-daemon "$pid" "$GIT_PORT"
  else
    printf '%-30s DOWN\n' git-daemon
    rc=1
  fi
  if pid="$(pid_of repo-server argocd-repo-server)" && port_open "$REPO_PORT" \
    && curl -fsS "http://127.0.0.1:${REPO_METRICS_PORT}/healthz" >/dev/null 2>&1; then
    printf '%-30s ok (pid %s, 127.0.0.1:%s)\n' argocd-repo-server "$pid" "$REPO_PORT"
  else
    printf '%-30s DOWN\n' argocd-repo-server
    rc=1
  fi
  if pid="$(pid_of application-controller argocd-application-controller)" \
    && curl -fsS "http://127.0.0.1:${CTRL_METRICS_PORT}/healthz" >/dev/null 2>&1; then
    printf '%-30s ok (pid %s, metrics :%s)\n' argocd-application-controller "$pid" "$CTRL_METRICS_PORT"
  else
    printf '%-30s DOWN\n' argocd-application-controller
    rc=1
  fi
  return $rc
}

cmd_status() {
  mkdir -p "$STATE_DIR"
  echo "argocd ${ARGOCD_VERSION} (${ARGOCD_BIN}), state ${STATE_DIR}"
  component_status
}

ensure_bare_repo() {
  local repo="${GIT_ROOT}/$1"
  if [[ ! -d "$repo" ]]; then
    mkdir -p "$GIT_ROOT"
    git init -q --bare --initial-branch=main "$repo"
  fi
}

cmd_up() {
  mkdir -p "${STATE_DIR}/logs" "${STATE_DIR}/tmp"
  if component_status >/dev/null 2>&1; then
    log "argocd-local: already up"
    return 0
  fi
  [[ -s "$KUBECONFIG_FILE" ]] || die "no kubeconfig at $KUBECONFIG_FILE: run scripts/local-cluster.sh up first"
  kc get --raw /readyz >/dev/null || die "local API server not ready (kubeconfig $KUBECONFIG_FILE)"
  cmd_build
  ensure_redis_installed
  command -v git >/dev/null || die "git missing"
  ensure_bare_repo "$GIT_REPO_NAME"
  apply_config
  local pw
  pw="$(redis_password)"

  if ! pid_of redis redis-server >/dev/null; then
    log "starting redis-server on 127.0.0.1:${REDIS_PORT} (no persistence)"
    # The password goes in a mode-600 config file, not on the command line.
    (umask 077 && printf 'requirepass %s\n' "$pw" >"${STATE_DIR}/redis.conf")
    start_bg redis redis-server "${STATE_DIR}/redis.conf" --bind 127.0.0.1 --port "$REDIS_PORT" \
      --save '' --appendonly no --dir "${STATE_DIR}/tmp" --daemonize no --protected-mode yes
    wait_until redis 20 redis_ping || die "redis did not start: ${STATE_DIR}/logs/redis.log"
  fi

  if ! pid_of git-daemon 'git.daemon' >/dev/null; then
    log "starting git daemon on git://127.0.0.1:${GIT_PORT}/ (base path ${GIT_ROOT})"
    # git-daemon itself (not the `git daemon` wrapper), so the pid file names the server.
    start_bg git-daemon "$(git --exec-path)/git-daemon" --reuseaddr --listen=127.0.0.1 --port="$GIT_PORT" \
      --base-path="$GIT_ROOT" --export-all --informative-errors "$GIT_ROOT"
    wait_until git-daemon 20 port_open "$GIT_PORT" || die "git daemon did not start: ${STATE_DIR}/logs/git-daemon.log"
  fi

  # Environment of both Argo CD processes, as in Argo CD's Procfile. ARGOCD_FAKE_IN_CLUSTER
  # plus KUBECONFIG is what makes the in-cluster destination https://kubernetes.default.svc
  # work out of cluster: Cluster.rawRestConfig() (pkg/apis/application/v1alpha1/types.go)
  # builds the in-cluster rest config from $KUBECONFIG only when ARGOCD_FAKE_IN_CLUSTER=true,
  # and calls rest.InClusterConfig() otherwise; --kubeconfig alone is not enough.
  local common_env=(
    "ARGOCD_FAKE_IN_CLUSTER=true"
    "KUBECONFIG=${KUBECONFIG_FILE}"
    "REDIS_PASSWORD=${pw}"
    "ARGOCD_TLS_DATA_PATH=${STATE_DIR}/tls"
    "ARGOCD_SSH_DATA_PATH=${STATE_DIR}/ssh"
    "ARGOCD_GNUPGHOME=${STATE_DIR}/gpg/keys"
    "ARGOCD_GPG_DATA_PATH=${STATE_DIR}/gpg/source"
    "ARGOCD_GPG_ENABLED=false"
    "ARGOCD_PLUGINSOCKFILEPATH=${STATE_DIR}/plugins"
    "TMPDIR=${STATE_DIR}/tmp"
    "NO_PROXY=127.0.0.1,localhost"
    "no_proxy=127.0.0.1,localhost"
    "PATH=${ARGOCD_BIN_DIR}:${TOOLS_BIN}:${PATH}"
  )
  mkdir -p "${STATE_DIR}/tls" "${STATE_DIR}/ssh" "${STATE_DIR}/gpg/keys" "${STATE_DIR}/gpg/source" "${STATE_DIR}/plugins"
  touch "${STATE_DIR}/ssh/ssh_known_hosts"

  if ! pid_of repo-server argocd-repo-server >/dev/null; then
    log "starting argocd-repo-server on 127.0.0.1:${REPO_PORT} (plaintext gRPC, $(helm version --short 2>/dev/null))"
    # --client-ca-path '': v3.6.1 defaults it to /app/config/reposerver/mtls/client-ca.crt and
    # refuses that together with --disable-tls ("--client-ca-path cannot be used when
    # --disable-tls is enabled", cmd/argocd-repo-server/commands/argocd_repo_server.go).
    start_bg repo-server env "${common_env[@]}" ARGOCD_BINARY_NAME=argocd-repo-server \
      "${ARGOCD_BIN_DIR}/argocd-repo-server" --loglevel "$LOGLEVEL" --logformat text \
      --address 127.0.0.1 --port "$REPO_PORT" \
      --metrics-address 127.0.0.1 --metrics-port "$REPO_METRICS_PORT" \
      --redis "127.0.0.1:${REDIS_PORT}" --disable-tls --client-ca-path ''
    wait_until argocd-repo-server 120 curl -fsS "http://127.0.0.1:${REPO_METRICS_PORT}/healthz" \
      || die "argocd-repo-server did not become ready: ${STATE_DIR}/logs/repo-server.log"
  fi

  if ! pid_of application-controller argocd-application-controller >/dev/null; then
    log "starting argocd-application-controller (namespace ${NS}, kubeconfig ${KUBECONFIG_FILE})"
    # The hydrator is off, so the commit server is never dialled; point it at loopback anyway.
    start_bg application-controller env "${common_env[@]}" ARGOCD_BINARY_NAME=argocd-application-controller \
      "${ARGOCD_BIN_DIR}/argocd-application-controller" --loglevel "$LOGLEVEL" --logformat text \
      --kubeconfig "$KUBECONFIG_FILE" --namespace "$NS" \
      --repo-server "127.0.0.1:${REPO_PORT}" --repo-server-plaintext \
      --commit-server "127.0.0.1:${ARGOCD_LOCAL_COMMIT_PORT:-18086}" --hydrator-enabled=false \
      --redis "127.0.0.1:${REDIS_PORT}" \
      --metrics-port "$CTRL_METRICS_PORT" \
      --app-resync "$APP_RESYNC"
    wait_until argocd-application-controller 120 curl -fsS "http://127.0.0.1:${CTRL_METRICS_PORT}/healthz" \
      || die "argocd-application-controller did not become ready: ${STATE_DIR}/logs/application-controller.log"
  fi
  component_status
  log "argocd-local up: Applications can use repoURL ${GIT_URL} (fill it with: $0 publish)"
}

cmd_down() {
  mkdir -p "$STATE_DIR"
  stop_one application-controller argocd-application-controller
  stop_one repo-server argocd-repo-server
  stop_one git-daemon 'git.daemon'
  stop_one redis redis-server
  log "argocd-local: down (Applications and config stay in the cluster; state in ${STATE_DIR})"
}

# publish [--repo NAME] [DIR]: copy DIR (default gitops/, committed or not) into a throwaway
# commit on branch main of the bare repo .local-cluster/git/NAME.git. DIR keeps its path
# relative to the project root, so Application paths are the work tree's paths
# (gitops/charts/<component>); a DIR outside the project lands at the repository root.
# Each publish replaces the whole tree of that repository.
cmd_publish() {
  local name=agent-platform src=gitops
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --repo)
        name=$2
        shift 2
        ;;
      *)
        src=$1
        shift
        ;;
    esac
  done
  [[ -d "$src" ]] || die "publish: no directory $src"
  local abs rel=""
  abs="$(cd "$src" && pwd)"
  case "$abs/" in
    "$PROJECT_ROOT"/*) rel="${abs#"$PROJECT_ROOT"}" && rel="${rel#/}" ;;
  esac
  ensure_bare_repo "${name}.git"
  local repo="${GIT_ROOT}/${name}.git" tmp
  tmp="$(mktemp -d)"
  mkdir -p "${tmp}/tree/${rel}"
  cp -a "${abs}/." "${tmp}/tree/${rel}/"
  local -a g=(git --git-dir="$repo" --work-tree="${tmp}/tree" -c user.name=argocd-local -c user.email=argocd-local@localhost)
  GIT_INDEX_FILE="${tmp}/index" "${g[@]}" add -A -f .
  local tree parent="" commit msg
  tree="$(GIT_INDEX_FILE="${tmp}/index" "${g[@]}" write-tree)"
  msg="publish ${rel:-$abs} $(date -u +%FT%TZ)"
  if parent="$("${g[@]}" rev-parse -q --verify refs/heads/main 2>/dev/null)"; then
    if [[ "$("${g[@]}" rev-parse "${parent}^{tree}")" == "$tree" ]]; then
      rm -rf "$tmp"
      log "publish: ${name}.git main already has this content (${parent})"
      echo "$parent"
      return 0
    fi
    commit="$(echo "$msg" | "${g[@]}" commit-tree "$tree" -p "$parent")"
  else
    commit="$(echo "$msg" | "${g[@]}" commit-tree "$tree")"
  fi
  "${g[@]}" update-ref refs/heads/main "$commit"
  rm -rf "$tmp"
  log "published ${rel:-$abs} to git://127.0.0.1:${GIT_PORT}/${name}.git (main = ${commit})"
  echo "$commit"
}

cmd_env() {
  cat <<EOF
ARGOCD_VERSION=${ARGOCD_VERSION}
ARGOCD_BIN=${ARGOCD_BIN}
ARGOCD_LOCAL_DIR=${STATE_DIR}
ARGOCD_LOCAL_KUBECONFIG=${KUBECONFIG_FILE}
ARGOCD_LOCAL_NAMESPACE=${NS}
ARGOCD_LOCAL_REDIS_PORT=${REDIS_PORT}
ARGOCD_LOCAL_REPO_PORT=${REPO_PORT}
ARGOCD_LOCAL_GIT_PORT=${GIT_PORT}
ARGOCD_LOCAL_GIT_DIR=${GIT_ROOT}
ARGOCD_LOCAL_GIT_BASE=git://127.0.0.1:${GIT_PORT}
ARGOCD_LOCAL_GIT_URL=${GIT_URL}
EOF
}

case "${1:-}" in
  build) cmd_build ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  publish)
    shift
    cmd_publish "$@"
    ;;
  env) cmd_env ;;
  *) die "usage: $0 build|up|down|status|publish [--repo NAME] [DIR]|env" ;;
esac
