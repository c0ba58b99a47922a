#!/usr/bin/env bash
# build-connectors.sh CONNECTOR... - build each connector's image from its staged, self-contained folder
# (build/stage/<connector>/, written by `make dist`) as Airbyte builds one: that folder is the whole context.
# Tagged localhost/<dockerRepository>:<dockerImageTag> from the connector's metadata.yaml.
# Env: BASE_IMAGE (default: the local stand-in from build-base.sh), CA_BUNDLE, STAGE, STEP_TIMEOUT (s).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
STAGE=${STAGE:-$ROOT/build/stage}
BASE_IMAGE=${BASE_IMAGE:-localhost/airbyte/python-connector-base:4.0.2-local}
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
STEP_TIMEOUT=${STEP_TIMEOUT:-900}
log() { printf '[build-connectors %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf '[build-connectors] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$#" -gt 0 ] || die "name the connectors to build"
command -v podman >/dev/null || die "podman missing: run images/podman-setup.sh (as root)"
secret=()
[ -s "$CA_BUNDLE" ] && secret=(--secret "id=cacert,src=$CA_BUNDLE")
for connector in "$@"; do
  context="$STAGE/$connector"
  [ -f "$context/Dockerfile" ] || die "$context/Dockerfile missing: run make dist first"
  image=$("$HERE/image-name.sh" "$context") || die "$connector: cannot name its image"
  started=$(date +%s)
  log "$connector -> $image"
  timeout "$STEP_TIMEOUT" podman build --pull=missing --network=host "${secret[@]}" \
    --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$image" "$context" >&2 || die "$connector: image build failed"
  log "$connector built in $(( $(date +%s) - started ))s"
  echo "$image"
done
# Each build leaves its builder stage behind, untagged: kept a day as the next build's cache, then removed, so a
# machine that keeps its image store does not fill its disk run after run.
podman image prune -f --filter until=24h >/dev/null || log "could not prune old builder stages (not fatal)"
