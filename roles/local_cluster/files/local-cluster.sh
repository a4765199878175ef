#!/usr/bin/env bash
# Engine of the local control plane (role appmod.agent_platform.local_cluster, wrapped by
# scripts/local-cluster.sh): a real kube-apiserver, kube-controller-manager and
# kube-scheduler built here from the pinned k8s.io/kubernetes Go module (tools/k8s), etcd
# (tools/etcd, the version Kubernetes itself pins), and kwok (tools/kwok) faking the kubelets of
# LOCAL_CLUSTER_NODES fake nodes. Everything listens on 127.0.0.1 only.
#
#   local-cluster.sh up          build the binaries if not cached, start, wait until ready
#                                (prints "local-cluster: already up" and does nothing if healthy)
#   local-cluster.sh down        stop every component (state kept: next up resumes it)
#   local-cluster.sh down --purge | reset   stop and delete the cluster state (certs, etcd data, logs)
#   local-cluster.sh status      component pids and health; exit 1 unless all healthy
#   local-cluster.sh build       only build the binaries into the cache
#   local-cluster.sh kubeconfig  print the admin kubeconfig path
#
# Settings come from the environment (the role passes its local_cluster_* variables):
#   LOCAL_CLUSTER_DIR        state dir (pids, logs, certs, etcd data, kubeconfig)
#   CACHE_ROOT               binary cache root: <CACHE_ROOT>/{k8s,etcd,kwok}/<version>/bin
#   LOCAL_CLUSTER_API_PORT, _ETCD_PORT, _ETCD_PEER_PORT, _KCM_PORT, _SCHEDULER_PORT, _KWOK_PORT
#   LOCAL_CLUSTER_NODES, _NODE_CPU, _NODE_MEMORY, _NODE_PODS, _SERVICE_CIDR, _TIMEOUT
#   LOCAL_CLUSTER_STATIC_PVS, _STATIC_PV_SIZE, _ARGOCD_VERSION, _KUBECTL
set -euo pipefail

SELF_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOOLS_DIR="${LOCAL_CLUSTER_TOOLS_DIR:-$(cd "${SELF_DIR}/../../.." && pwd)/tools}"
PROJECT_ROOT="${PROJECT_ROOT:-$(cd "${TOOLS_DIR}/.." && pwd)}"
CACHE_ROOT="${CACHE_ROOT:-${APPMOD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/appmod-agent-platform}}"
LC_DIR="${LOCAL_CLUSTER_DIR:-${PROJECT_ROOT}/.local-cluster}"
# One spelling of the state dir: processes are recognised by it in their command line.
LC_DIR="$(realpath -m -- "${LC_DIR}")"
API_PORT="${LOCAL_CLUSTER_API_PORT:-6443}"
ETCD_PORT="${LOCAL_CLUSTER_ETCD_PORT:-12379}"
ETCD_PEER_PORT="${LOCAL_CLUSTER_ETCD_PEER_PORT:-12380}"
KCM_PORT="${LOCAL_CLUSTER_KCM_PORT:-10257}"
SCHED_PORT="${LOCAL_CLUSTER_SCHEDULER_PORT:-10259}"
KWOK_PORT="${LOCAL_CLUSTER_KWOK_PORT:-10247}"
NODES="${LOCAL_CLUSTER_NODES:-2}"
NODE_CPU="${LOCAL_CLUSTER_NODE_CPU:-32}"
NODE_MEMORY="${LOCAL_CLUSTER_NODE_MEMORY:-128Gi}"
NODE_PODS="${LOCAL_CLUSTER_NODE_PODS:-110}"
SERVICE_CIDR="${LOCAL_CLUSTER_SERVICE_CIDR:-10.96.0.0/16}"
TIMEOUT="${LOCAL_CLUSTER_TIMEOUT:-180}"
STATIC_PVS="${LOCAL_CLUSTER_STATIC_PVS:-64}"
STATIC_PV_SIZE="${LOCAL_CLUSTER_STATIC_PV_SIZE:-100Gi}"
ARGOCD_VERSION="${LOCAL_CLUSTER_ARGOCD_VERSION:-v3.5.1}"
KUBECTL="${LOCAL_CLUSTER_KUBECTL:-kubectl}"

KUBECONFIG_PATH="${LC_DIR}/kubeconfig"
PKI="${LC_DIR}/pki"
RUN="${LC_DIR}/run"
LOGS="${LC_DIR}/logs"
DATA="${LC_DIR}/data"
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

log() { printf '[local-cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[local-cluster] ERROR: %s\n' "$*" >&2; exit 1; }
kc() { "${KUBECTL}" --kubeconfig "${KUBECONFIG_PATH}" --request-timeout=20s "$@"; }

go_env() { export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:--buildvcs=false}"; }
mod_version() { (cd "$1" && go_env && GOFLAGS=-mod=readonly go list -m -f '{{.Version}}' "$2"); }

k8s_version() { mod_version "${TOOLS_DIR}/k8s" k8s.io/kubernetes; }
kwok_version() { mod_version "${TOOLS_DIR}/kwok" sigs.k8s.io/kwok; }
etcd_version() { mod_version "${TOOLS_DIR}/etcd" go.etcd.io/etcd/server/v3; }

# The versions are resolved once per process; `go list -m` costs ~0.1 s, so status/up
# read them from a small stamp file written next to the sources' go.mod hash.
versions() {
  local m stamp
  for m in k8s kwok etcd; do
    [[ -s "${TOOLS_DIR}/${m}/go.mod" ]] || die "pinned module ${TOOLS_DIR}/${m}/go.mod not found"
  done
  stamp="${CACHE_ROOT}/versions-$(cat "${TOOLS_DIR}"/{k8s,kwok,etcd}/go.mod | sha256sum | cut -c1-16)"
  if [[ ! -s "${stamp}" ]]; then
    command -v go >/dev/null || export PATH="${PATH}:/usr/local/go/bin"
    mkdir -p "${CACHE_ROOT}"
    local kv wv ev
    kv="$(k8s_version)" || kv=""
    wv="$(kwok_version)" || wv=""
    ev="$(etcd_version)" || ev=""
    [[ -n "${kv}" && -n "${wv}" && -n "${ev}" ]] || die "cannot read the pinned versions from ${TOOLS_DIR}/{k8s,kwok,etcd}/go.mod"
    printf 'K8S_VERSION=%s\nKWOK_VERSION=%s\nETCD_VERSION=%s\n' "${kv}" "${wv}" "${ev}" > "${stamp}.tmp"
    mv "${stamp}.tmp" "${stamp}"
  fi
  # shellcheck disable=SC1090
  source "${stamp}"
  K8S_BIN="${CACHE_ROOT}/k8s/${K8S_VERSION}/bin"
  KWOK_BIN="${CACHE_ROOT}/kwok/${KWOK_VERSION}/bin"
  ETCD_BIN="${CACHE_ROOT}/etcd/${ETCD_VERSION}/bin"
}

bin_of() {
  case "$1" in
    etcd) echo "${ETCD_BIN}/etcd" ;;
    kwok) echo "${KWOK_BIN}/kwok" ;;
    *) echo "${K8S_BIN}/$1" ;;
  esac
}

# Run a long command in the background, print a heartbeat every 30 s, return its status.
with_heartbeat() {
  local what="$1" logf="$2"
  shift 2
  local start=$SECONDS
  "$@" >"${logf}" 2>&1 &
  local pid=$! n=0
  while kill -0 "${pid}" 2>/dev/null; do
    sleep 1
    n=$((n + 1))
    if ((n % 30 == 0)); then
      log "  ... ${what}: still running ($((SECONDS - start)) s; $(tail -n1 "${logf}" 2>/dev/null | cut -c1-100))"
    fi
  done
  if ! wait "${pid}"; then
    tail -n 30 "${logf}" >&2
    die "${what} failed (log: ${logf})"
  fi
  log "  ${what}: done in $((SECONDS - start)) s"
}

build_k8s() {
  [[ -x "${K8S_BIN}/kube-apiserver" && -x "${K8S_BIN}/kube-controller-manager" && -x "${K8S_BIN}/kube-scheduler" ]] && return 0
  command -v go >/dev/null || export PATH="${PATH}:/usr/local/go/bin"
  command -v go >/dev/null || die "go not found (needed once to build Kubernetes ${K8S_VERSION})"
  local dir="${CACHE_ROOT}/k8s/${K8S_VERSION}"
  mkdir -p "${dir}"
  rm -rf "${dir}/bin.partial"
  log "building kube-apiserver, kube-controller-manager, kube-scheduler ${K8S_VERSION} from the Go module proxy"
  log "  (first build takes 10-25 min on 2 cores; the result is cached in ${dir}/bin)"
  with_heartbeat "go build k8s ${K8S_VERSION}" "${dir}/build.log" bash "${TOOLS_DIR}/k8s/build.sh" "${dir}/bin.partial"
  mv "${dir}/bin.partial" "${dir}/bin"
}

build_kwok() {
  [[ -x "${KWOK_BIN}/kwok" && -s "${KWOK_BIN}/kwok-stages.yaml" ]] && return 0
  command -v go >/dev/null || export PATH="${PATH}:/usr/local/go/bin"
  command -v go >/dev/null || die "go not found (needed once to build kwok ${KWOK_VERSION})"
  local dir="${CACHE_ROOT}/kwok/${KWOK_VERSION}"
  mkdir -p "${dir}"
  rm -rf "${dir}/bin.partial"
  log "building kwok ${KWOK_VERSION} from the Go module proxy"
  with_heartbeat "go build kwok ${KWOK_VERSION}" "${dir}/build.log" bash "${TOOLS_DIR}/kwok/build.sh" "${dir}/bin.partial"
  mv "${dir}/bin.partial" "${dir}/bin"
}

build_etcd() {
  [[ -x "${ETCD_BIN}/etcd" ]] && return 0
  command -v go >/dev/null || export PATH="${PATH}:/usr/local/go/bin"
  command -v go >/dev/null || die "go not found (needed once to build etcd ${ETCD_VERSION})"
  local dir="${CACHE_ROOT}/etcd/${ETCD_VERSION}"
  mkdir -p "${dir}"
  rm -rf "${dir}/bin.partial"
  log "building etcd ${ETCD_VERSION} from the Go module proxy"
  with_heartbeat "go build etcd ${ETCD_VERSION}" "${dir}/build.log" bash "${TOOLS_DIR}/etcd/build.sh" "${dir}/bin.partial"
  mv "${dir}/bin.partial" "${dir}/bin"
}

# Argo CD's CRDs (manifests/crds of the Go module github.com/argoproj/argo-cd/v3, the same
# files as the release's install manifests), copied once into the cache. The module's h1:
# hash is pinned for the default version (and checked against the Go checksum database by go).
# shellcheck disable=SC2034 # read through ${!want}
ARGOCD_MODULE_SUM_v3_5_1="h1:jtwPLEFX9mNj3jSq88ugFcScGnOZVs2DWaXFuZxrRT8="
argocd_crds_dir() {
  local dest="${CACHE_ROOT}/argocd-crds/${ARGOCD_VERSION}" json dir sum want
  if [[ ! -s "${dest}/application-crd.yaml" ]]; then
    command -v go >/dev/null || export PATH="${PATH}:/usr/local/go/bin"
    json="$(cd / && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false go mod download -json "github.com/argoproj/argo-cd/v3@${ARGOCD_VERSION}")" \
      || die "go mod download github.com/argoproj/argo-cd/v3@${ARGOCD_VERSION} failed: ${json}"
    dir="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["Dir"])' "${json}")"
    sum="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["Sum"])' "${json}")"
    want="ARGOCD_MODULE_SUM_${ARGOCD_VERSION//./_}"
    if [[ -n "${!want:-}" && "${!want}" != "${sum}" ]]; then
      die "argo-cd ${ARGOCD_VERSION} module hash ${sum} != pinned ${!want}"
    fi
    mkdir -p "${dest}.partial"
    cp "${dir}/manifests/crds/"{application,appproject,applicationset}-crd.yaml "${dest}.partial/"
    chmod 644 "${dest}.partial/"*.yaml
    rm -rf "${dest}"
    mv "${dest}.partial" "${dest}"
  fi
  echo "${dest}"
}

# ---------------------------------------------------------------- processes
pid_of() {
  local f="${RUN}/$1.pid" pid
  [[ -s "${f}" ]] || return 1
  pid="$(cat "${f}")"
  [[ -r "/proc/${pid}/cmdline" ]] || return 1
  # guard against a recycled pid: the process must still be this component (argv[0] named
  # like it, whatever version) of this state dir (every component gets paths under LC_DIR)
  local argv0 cmdline
  argv0="$(tr '\0' '\n' < "/proc/${pid}/cmdline" 2>/dev/null | head -n1)" || return 1
  [[ "$(basename -- "${argv0}")" == "$1" ]] || return 1
  cmdline="$(tr '\0' ' ' < "/proc/${pid}/cmdline" 2>/dev/null)" || return 1
  [[ "${cmdline}" == *"${LC_DIR}/"* ]] || return 1
  echo "${pid}"
}

start_component() {
  local name="$1"
  shift
  if pid_of "${name}" >/dev/null; then
    return 0
  fi
  log "starting ${name}"
  # setsid: own session, so the component outlives the shell (and Ansible) that started it.
  # 9>&-: the components must not inherit (and so hold) the up/down lock
  setsid "$(bin_of "${name}")" "$@" >>"${LOGS}/${name}.log" 2>&1 </dev/null 9>&- &
  echo $! > "${RUN}/${name}.pid"
}

stop_component() {
  local name="$1" pid i grace=150
  # kube-apiserver drains in-flight requests at once, then waits up to 60 s for idle
  # connections of clients that are still around (other tools' watches): 5 s is plenty.
  [[ "${name}" == kube-apiserver ]] && grace=50
  pid="$(pid_of "${name}")" || { rm -f "${RUN}/${name}.pid"; return 0; }
  log "stopping ${name} (pid ${pid})"
  kill -TERM "${pid}" 2>/dev/null || true
  for ((i = 0; i < grace; i++)); do
    kill -0 "${pid}" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "${pid}" 2>/dev/null; then
    log "  ${name} did not stop in $((grace / 10)) s: SIGKILL"
    kill -KILL "${pid}" 2>/dev/null || true
  fi
  rm -f "${RUN}/${name}.pid"
}

wait_until() {
  local what="$1" timeout="$2" start=$SECONDS
  shift 2
  local c
  until "$@" >/dev/null 2>&1; do
    for c in "${COMPONENTS[@]}"; do # fail fast when a started component died
      if [[ -s "${RUN}/${c}.pid" ]] && ! pid_of "${c}" >/dev/null; then
        tail -n 20 "${LOGS}/${c}.log" >&2 || true
        die "${c} exited while waiting for ${what}; see ${LOGS}/${c}.log"
      fi
    done
    if ((SECONDS - start > timeout)); then
      die "timed out after ${timeout} s waiting for ${what} (logs: ${LOGS})"
    fi
    sleep 0.5
  done
}

# ---------------------------------------------------------------- pki
gen_pki() {
  mkdir -p "${PKI}"
  chmod 700 "${PKI}"
  [[ -s "${PKI}/admin.key" && -s "${PKI}/sa.key" ]] && return 0
  log "generating CA, serving certs, service-account key and client certs (openssl)"
  local days=3650
  (
    cd "${PKI}"
    umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days "${days}" \
      -subj "/CN=appmod-local-cluster-ca" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    sign() { # name subject extfile-content
      openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
      printf '%b' "$3" > "$1.ext"
      openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" \
        -days "${days}" -extfile "$1.ext" 2>/dev/null
      rm -f "$1.csr" "$1.ext"
    }
    local first_svc_ip
    first_svc_ip="$(python3 -c 'import ipaddress,sys; print(next(ipaddress.ip_network(sys.argv[1]).hosts()))' "${SERVICE_CIDR}")"
    sign apiserver "/CN=kube-apiserver" \
      "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,IP:${first_svc_ip},DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n"
    local client="basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n"
    sign admin "/O=system:masters/CN=kubernetes-admin" "${client}"
    sign controller-manager "/CN=system:kube-controller-manager" "${client}"
    sign scheduler "/CN=system:kube-scheduler" "${client}"
    sign kwok "/O=system:masters/CN=kwok-controller" "${client}"
    # serving certs for the controller-manager's and scheduler's secure ports
    sign components "/CN=localhost" \
      "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n"
  )
}

write_kubeconfig() { # file user
  local file="$1" user="$2"
  cat > "${file}.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:${API_PORT}
    certificate-authority: ${PKI}/ca.crt
users:
- name: ${user}
  user:
    client-certificate: ${PKI}/${user}.crt
    client-key: ${PKI}/${user}.key
contexts:
- name: local
  context:
    cluster: local
    user: ${user}
current-context: local
EOF
  chmod 600 "${file}.tmp"
  mv "${file}.tmp" "${file}"
}

# ---------------------------------------------------------------- health
apiserver_ready() { [[ "$(kc get --raw /readyz 2>/dev/null)" == ok ]]; }

nodes_ready() {
  local n
  n="$(kc get nodes -l appmod.local/fake-node=true \
    -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' 2>/dev/null | grep -c '^True$')" || true
  [[ "${n:-0}" -ge "${NODES}" ]]
}

healthy() {
  local c
  for c in "${COMPONENTS[@]}"; do pid_of "${c}" >/dev/null || return 1; done
  [[ -s "${KUBECONFIG_PATH}" ]] && apiserver_ready && nodes_ready
}

# ---------------------------------------------------------------- cluster objects
apply_nodes() {
  local i name
  for ((i = 0; i < NODES; i++)); do
    name="kwok-node-${i}"
    cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: ${name}
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    appmod.local/fake-node: "true"
    type: kwok
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: ${name}
    node-role.kubernetes.io/agent: ""
    topology.kubernetes.io/zone: local-${i}
spec: {}
status:
  allocatable: {cpu: "${NODE_CPU}", memory: ${NODE_MEMORY}, pods: "${NODE_PODS}", ephemeral-storage: 1Ti}
  capacity: {cpu: "${NODE_CPU}", memory: ${NODE_MEMORY}, pods: "${NODE_PODS}", ephemeral-storage: 1Ti}
  nodeInfo:
    architecture: amd64
    kubeletVersion: fake
    operatingSystem: linux
    containerRuntimeVersion: kwok
EOF
  done
}

apply_storage() {
  cat <<EOF
---
# Default StorageClass. There is no dynamic provisioner on this cluster: PVCs bind only to
# the pre-created static PersistentVolumes below (WaitForFirstConsumer: bound when the
# scheduler places the first Pod using the claim).
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Delete
EOF
  local i
  for ((i = 0; i < STATIC_PVS; i++)); do
    cat <<EOF
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: local-pv-$(printf '%03d' "${i}")
  labels:
    appmod.local/static-pv: "true"
spec:
  capacity: {storage: ${STATIC_PV_SIZE}}
  accessModes: [ReadWriteOnce, ReadOnlyMany, ReadWriteMany]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: standard
  volumeMode: Filesystem
  hostPath: {path: /var/lib/appmod-local-cluster/pv-$(printf '%03d' "${i}"), type: DirectoryOrCreate}
EOF
  done
}

# Static PVs released by a deleted claim go back to Available (what a provisioner's
# delete-and-recreate would give), so repeated test runs do not exhaust them.
recycle_released_pvs() {
  local pv
  for pv in $(kc get pv -l appmod.local/static-pv=true \
    -o jsonpath='{range .items[?(@.status.phase=="Released")]}{.metadata.name}{" "}{end}' 2>/dev/null); do
    kc patch pv "${pv}" --type=json -p='[{"op":"remove","path":"/spec/claimRef"}]' >/dev/null || true
  done
}

bootstrap_objects() {
  local crds
  crds="$(argocd_crds_dir)"
  log "applying namespace argocd, Argo CD ${ARGOCD_VERSION} CRDs, StorageClass, ${STATIC_PVS} static PVs, ${NODES} fake nodes"
  kc create namespace argocd --dry-run=client -o yaml | kc apply -f - >/dev/null
  # server-side: the Application CRD is larger than the last-applied annotation allows
  kc apply --server-side --force-conflicts --field-manager=local-cluster \
    -f "${crds}/application-crd.yaml" -f "${crds}/appproject-crd.yaml" -f "${crds}/applicationset-crd.yaml" >/dev/null
  apply_storage | kc apply --server-side --force-conflicts --field-manager=local-cluster -f - >/dev/null
  # nodes: created once with their capacity in .status (kwok then maintains the status)
  apply_nodes | kc create -f - 2>&1 | grep -v AlreadyExists >&2 || true
  recycle_released_pvs
}

# ---------------------------------------------------------------- commands
cmd_build() {
  versions
  build_etcd
  build_k8s
  build_kwok
}

cmd_up() {
  mkdir -p "${LC_DIR}"
  exec 9>"${LC_DIR}/.lock"
  flock -w 3600 9 || die "another local-cluster up/down holds ${LC_DIR}/.lock"
  versions
  if healthy; then
    recycle_released_pvs
    log "already up (kube-apiserver ${K8S_VERSION} on https://127.0.0.1:${API_PORT}, kubeconfig ${KUBECONFIG_PATH})"
    echo "local-cluster: already up"
    return 0
  fi
  local start=$SECONDS
  log "step 1/5: binaries (etcd ${ETCD_VERSION}, kubernetes ${K8S_VERSION}, kwok ${KWOK_VERSION}) in ${CACHE_ROOT}"
  cmd_build
  mkdir -p "${RUN}" "${LOGS}" "${DATA}"
  local c
  for c in "${COMPONENTS[@]}"; do # stale pid files of components that died
    pid_of "${c}" >/dev/null || rm -f "${RUN}/${c}.pid"
  done
  log "step 2/5: certificates and kubeconfigs in ${LC_DIR}"
  gen_pki
  write_kubeconfig "${KUBECONFIG_PATH}" admin
  write_kubeconfig "${LC_DIR}/controller-manager.kubeconfig" controller-manager
  write_kubeconfig "${LC_DIR}/scheduler.kubeconfig" scheduler
  write_kubeconfig "${LC_DIR}/kwok.kubeconfig" kwok

  log "step 3/5: etcd and kube-apiserver"
  start_component etcd \
    --name local --data-dir "${DATA}/etcd" \
    --listen-client-urls "http://127.0.0.1:${ETCD_PORT}" --advertise-client-urls "http://127.0.0.1:${ETCD_PORT}" \
    --listen-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" --initial-advertise-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" \
    --initial-cluster "local=http://127.0.0.1:${ETCD_PEER_PORT}" \
    --quota-backend-bytes 4294967296 \
    --auto-compaction-mode periodic --auto-compaction-retention 10m --log-level warn
  wait_until "etcd" 60 curl -fsS "http://127.0.0.1:${ETCD_PORT}/health"
  start_component kube-apiserver \
    --advertise-address=127.0.0.1 --bind-address=127.0.0.1 --secure-port="${API_PORT}" \
    --etcd-servers="http://127.0.0.1:${ETCD_PORT}" \
    --client-ca-file="${PKI}/ca.crt" --tls-cert-file="${PKI}/apiserver.crt" --tls-private-key-file="${PKI}/apiserver.key" \
    --authorization-mode=Node,RBAC --anonymous-auth=true --allow-privileged=true \
    --enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,DefaultTolerationSeconds,NodeRestriction,PodSecurity,Priority,TaintNodesByCondition,StorageObjectInUseProtection,PersistentVolumeClaimResize,RuntimeClass,CertificateApproval,CertificateSigning,CertificateSubjectRestriction,DefaultIngressClass,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ValidatingAdmissionPolicy,ResourceQuota \
    --service-account-issuer="https://kubernetes.default.svc.cluster.local" \
    --service-account-key-file="${PKI}/sa.pub" --service-account-signing-key-file="${PKI}/sa.key" \
    --api-audiences="https://kubernetes.default.svc.cluster.local" \
    --service-cluster-ip-range="${SERVICE_CIDR}" \
    --endpoint-reconciler-type=none \
    --profiling=false --v=1
  wait_until "kube-apiserver /readyz" "${TIMEOUT}" apiserver_ready

  log "step 4/5: kube-controller-manager, kube-scheduler, kwok"
  start_component kube-controller-manager \
    --kubeconfig="${LC_DIR}/controller-manager.kubeconfig" \
    --authentication-kubeconfig="${LC_DIR}/controller-manager.kubeconfig" \
    --authorization-kubeconfig="${LC_DIR}/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="${KCM_PORT}" \
    --tls-cert-file="${PKI}/components.crt" --tls-private-key-file="${PKI}/components.key" \
    --client-ca-file="${PKI}/ca.crt" --requestheader-client-ca-file="${PKI}/ca.crt" \
    --root-ca-file="${PKI}/ca.crt" --service-account-private-key-file="${PKI}/sa.key" \
    --cluster-signing-cert-file="${PKI}/ca.crt" --cluster-signing-key-file="${PKI}/ca.key" \
    --use-service-account-credentials=true --controllers='*' \
    --service-cluster-ip-range="${SERVICE_CIDR}" --allocate-node-cidrs=false \
    --leader-elect=false --profiling=false --v=1
  start_component kube-scheduler \
    --kubeconfig="${LC_DIR}/scheduler.kubeconfig" \
    --authentication-kubeconfig="${LC_DIR}/scheduler.kubeconfig" \
    --authorization-kubeconfig="${LC_DIR}/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="${SCHED_PORT}" \
    --tls-cert-file="${PKI}/components.crt" --tls-private-key-file="${PKI}/components.key" \
    --client-ca-file="${PKI}/ca.crt" --requestheader-client-ca-file="${PKI}/ca.crt" \
    --leader-elect=false --profiling=false --v=1
  start_component kwok \
    --kubeconfig="${LC_DIR}/kwok.kubeconfig" \
    --config="${KWOK_BIN}/kwok-stages.yaml" \
    --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-lease-duration-seconds=40 \
    --cidr=10.244.0.1/16 --node-ip=127.0.0.1 \
    --server-address="127.0.0.1:${KWOK_PORT}"

  log "step 5/5: cluster objects and readiness"
  bootstrap_objects
  wait_until "${NODES} Ready nodes" "${TIMEOUT}" nodes_ready
  wait_until "default service account" "${TIMEOUT}" kc -n default get serviceaccount default
  for c in "${COMPONENTS[@]}"; do
    pid_of "${c}" >/dev/null || die "${c} exited; see ${LOGS}/${c}.log"
  done
  log "up in $((SECONDS - start)) s: kube-apiserver ${K8S_VERSION} at https://127.0.0.1:${API_PORT}"
  echo "local-cluster: started"
  echo "export KUBECONFIG=${KUBECONFIG_PATH}"
}

cmd_down() {
  local purge=false
  [[ "${1:-}" == --purge ]] && purge=true
  [[ -d "${LC_DIR}" ]] || { echo "local-cluster: not running"; return 0; }
  exec 9>"${LC_DIR}/.lock"
  flock -w 120 9 || log "lock ${LC_DIR}/.lock busy for 120 s: stopping anyway"
  versions
  local stopped=0 i c
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    c="${COMPONENTS[i]}"
    if pid_of "${c}" >/dev/null; then
      stop_component "${c}"
      stopped=$((stopped + 1))
    fi
    rm -f "${RUN}/${c}.pid"
  done
  if ${purge}; then
    # only what this engine made: other tools (scripts/argocd-local.sh) keep state here too
    log "removing the cluster state in ${LC_DIR} (certs, etcd data, logs, kubeconfigs)"
    rm -rf "${PKI}" "${DATA}" "${LOGS}" "${RUN}" "${KUBECONFIG_PATH}" \
      "${LC_DIR}"/{controller-manager,scheduler,kwok}.kubeconfig
    rmdir "${LC_DIR}" 2>/dev/null || true
  fi
  if ((stopped > 0)) || ${purge}; then
    echo "local-cluster: stopped"
  else
    echo "local-cluster: not running"
  fi
}

cmd_status() {
  versions
  local rc=0 c pid
  printf '%-24s %s\n' "state dir" "${LC_DIR}"
  printf '%-24s %s\n' "kubeconfig" "${KUBECONFIG_PATH}"
  for c in "${COMPONENTS[@]}"; do
    if pid="$(pid_of "${c}")"; then
      printf '%-24s running pid=%s\n' "${c}" "${pid}"
    else
      printf '%-24s stopped\n' "${c}"
      rc=1
    fi
  done
  if [[ -s "${KUBECONFIG_PATH}" ]] && apiserver_ready; then
    printf '%-24s ok (%s, https://127.0.0.1:%s)\n' "apiserver /readyz" "${K8S_VERSION}" "${API_PORT}"
  else
    printf '%-24s not ready\n' "apiserver /readyz"
    rc=1
  fi
  if ((rc == 0)) && nodes_ready; then
    printf '%-24s %s Ready\n' "fake nodes" "${NODES}"
  else
    printf '%-24s not Ready\n' "fake nodes"
    rc=1
  fi
  return "${rc}"
}

main() {
  local cmd="${1:-}"
  shift || true
  case "${cmd}" in
    up) cmd_up ;;
    down) cmd_down "$@" ;;
    reset) cmd_down --purge ;;
    status) cmd_status ;;
    build) mkdir -p "${CACHE_ROOT}"; cmd_build ;;
    kubeconfig) echo "${KUBECONFIG_PATH}" ;;
    *) echo "usage: $(basename "$0") up|down [--purge]|reset|status|build|kubeconfig" >&2; exit 2 ;;
  esac
}

main "$@"; exit $?
