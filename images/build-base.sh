#!/usr/bin/env bash
# build-base.sh - build a local stand-in for docker.io/airbyte/python-connector-base:4.0.2
# without any container registry:
#   1. debootstrap --variant=minbase bookworm (+ python3.11, venv, ca-certificates, tzdata, socat)
#   2. tar | podman import                      -> $ROOTFS_IMAGE
#   3. podman build images/base/Containerfile   -> $BASE_IMAGE
# Cached: skipped when $BASE_IMAGE exists and carries the current recipe hash
# (FORCE=1 rebuilds everything, FORCE_ROOTFS=1 redoes debootstrap too).
#
# Env: BASE_IMAGE, ROOTFS_IMAGE, MIRROR, SUITE, CA_BUNDLE, WITH_OCR=1 (tesseract+poppler
#      like upstream), POETRY_VERSION (""=skip), STEP_TIMEOUT (s, per step), WORKDIR
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BASE_IMAGE=${BASE_IMAGE:-localhost/airbyte/python-connector-base:4.0.2-local}
ROOTFS_IMAGE=${ROOTFS_IMAGE:-localhost/airbyte/debian-bookworm-minbase:local}
SUITE=${SUITE:-bookworm}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
STEP_TIMEOUT=${STEP_TIMEOUT:-900}
POETRY_VERSION=${POETRY_VERSION-1.8.4}
WITH_OCR=${WITH_OCR:-0}
DEBOOTSTRAP_INCLUDE=python3.11,python3.11-venv,python3-venv,ca-certificates,tzdata,netbase,socat,passwd

log() { printf '[build-base %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf '[build-base] ERROR: %s\n' "$*" >&2; exit 1; }
T0=$(date +%s); declare -a TIMES=()
step() { # step NAME CMD... : run bounded in time and record duration
  local name=$1 s; shift; s=$(date +%s); log "-> $name"
  "$@" || die "step '$name' failed (rc=$?)"
  TIMES+=("$name: $(( $(date +%s) - s ))s"); log "<- $name ($(( $(date +%s) - s ))s)"
}
summary() { log "timings: ${TIMES[*]:-none}; total $(( $(date +%s) - T0 ))s"; }
trap summary EXIT

[ "$(id -u)" = 0 ] || die "run as root (debootstrap + rootful podman)"
for c in podman debootstrap tar sha256sum; do
  command -v $c >/dev/null || die "$c missing: run images/podman-setup.sh (apt-get install -y podman runc debootstrap)"
done
[ -f /etc/containers/containers.conf.d/50-airbyte-ci.conf ] || die "podman not configured: run $HERE/podman-setup.sh first"

# Proxy: honour *_proxy env, else apt's Acquire::http::Proxy (debootstrap reads http_proxy,
# podman build forwards *_proxy env into RUN steps by default).
if [ -z "${http_proxy:-}${HTTP_PROXY:-}" ]; then
  p=$(apt-config dump 2>/dev/null | sed -n 's/^Acquire::http::Proxy "\(.*\)";/\1/p' | head -1)
  if [ -n "$p" ] && [ "$p" != DIRECT ]; then export http_proxy=$p HTTP_PROXY=$p; log "using apt proxy $p"; fi
fi

EXTRA_APT=""; [ "$WITH_OCR" = 1 ] && EXTRA_APT="tesseract-ocr poppler-utils"
RECIPE=$( { cat "$0" "$HERE/base/Containerfile"; echo "$SUITE $MIRROR $POETRY_VERSION $EXTRA_APT $DEBOOTSTRAP_INCLUDE"; } | sha256sum | cut -c1-16)

if [ "${FORCE:-0}" != 1 ] && podman image exists "$BASE_IMAGE"; then
  have=$(podman image inspect --format '{{index .Labels "io.airbyte.local.recipe"}}' "$BASE_IMAGE" 2>/dev/null || true)
  if [ "$have" = "$RECIPE" ]; then
    log "cached: $BASE_IMAGE (recipe $RECIPE) - nothing to do"; exit 0
  fi
  log "$BASE_IMAGE exists but recipe changed ($have -> $RECIPE): rebuilding"
fi

# ---------- 1+2: debootstrap rootfs -> podman import ----------
build_rootfs() {
  local work; work=$(mktemp -d /var/tmp/airbyte-rootfs.XXXXXX)
  local root=$work/rootfs
  # shellcheck disable=SC2064
  trap "umount -R '$root/proc' '$root/sys' '$root/dev' 2>/dev/null || true; rm -rf '$work'" RETURN
  timeout "$STEP_TIMEOUT" debootstrap --variant=minbase --include="$DEBOOTSTRAP_INCLUDE" \
      --components=main --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
      "$SUITE" "$root" "$MIRROR" > "$work/debootstrap.log" 2>&1 \
    || { tail -30 "$work/debootstrap.log" >&2; return 1; }
  # apt sources inside the image (the connector template runs apt-get install git ...)
  rm -f "$root/etc/apt/sources.list"
  cat > "$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY_MIRROR
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # mirror the host's apt date-check relaxations (needed behind snapshot-style mirrors)
  apt-config dump | grep -E '^Acquire::Check-(Valid-Until|Date) "false"' \
    > "$root/etc/apt/apt.conf.d/99local-ci" || rm -f "$root/etc/apt/apt.conf.d/99local-ci"
  # bring the chroot up to bookworm-updates/-security now, so the image does not
  # carry a second copy of upgraded packages in a later layer
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  mount -t proc proc "$root/proc"
  timeout "$STEP_TIMEOUT" chroot "$root" sh -c 'apt-get -q update && DEBIAN_FRONTEND=noninteractive apt-get -y -q dist-upgrade && apt-get clean' \
      >> "$work/debootstrap.log" 2>&1 || { tail -30 "$work/debootstrap.log" >&2; return 1; }
  umount "$root/proc"
  # slim-image style: no docs/man/locales, no recommends
  cat > "$root/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' > "$root/etc/apt/apt.conf.d/99no-recommends"
  find "$root/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete 2>/dev/null || true
  rm -rf "$root/usr/share/man/"* "$root/usr/share/info/"* "$root/usr/share/locale/"* "$root/var/lib/apt/lists/"* \
         "$root/var/cache/apt/"*.bin "$root/var/cache/apt/archives/"*.deb "$root/var/log/"*.log
  : > "$root/etc/hostname"; rm -f "$root/etc/resolv.conf"   # podman injects these
  # podman import; --numeric-owner keeps uids exactly as in the chroot
  tar --numeric-owner --xattrs -C "$root" -c . \
    | timeout "$STEP_TIMEOUT" podman import --quiet \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["bash"]' \
        --message "debootstrap --variant=minbase $SUITE $MIRROR" - "$ROOTFS_IMAGE" >/dev/null
}
if [ "${FORCE_ROOTFS:-0}" = 1 ] || ! podman image exists "$ROOTFS_IMAGE"; then
  step "debootstrap+import ($SUITE minbase)" build_rootfs
else
  log "reusing rootfs image $ROOTFS_IMAGE (FORCE_ROOTFS=1 to redo)"
fi

# ---------- 3: Containerfile layer ----------
OLD_ID=$(podman image inspect --format '{{.Id}}' "$BASE_IMAGE" 2>/dev/null || true)
[ -s "$CA_BUNDLE" ] || die "CA bundle $CA_BUNDLE missing (set CA_BUNDLE=)"
step "podman build base" timeout "$STEP_TIMEOUT" podman build --pull=never --network=host \
  --secret "id=cacert,src=$CA_BUNDLE" \
  --build-arg "ROOTFS_IMAGE=$ROOTFS_IMAGE" \
  --build-arg "POETRY_VERSION=$POETRY_VERSION" \
  --build-arg "EXTRA_APT_PACKAGES=$EXTRA_APT" \
  --label "io.airbyte.local.recipe=$RECIPE" \
  --label "io.airbyte.base_image=airbyte/python-connector-base:4.0.2 (local equivalent)" \
  -t "$BASE_IMAGE" "$HERE/base"

step "sanity check" podman run --rm --network=host "$BASE_IMAGE" sh -c '
  set -e; python --version; pip --version; [ -z "'"$POETRY_VERSION"'" ] || poetry --version
  test "$(readlink /etc/localtime)" = /usr/share/zoneinfo/Etc/UTC
  id airbyte; test "$(id -u airbyte):$(id -g airbyte)" = 1000:1000
  test "$(stat -c %U /airbyte)" = airbyte; socat -V | sed -n 2p
  ! find / -xdev -name cacert -path "*secrets*" 2>/dev/null | grep -q .'
# drop the superseded base image (ignored if connector images still use it)
NEW_ID=$(podman image inspect --format '{{.Id}}' "$BASE_IMAGE")
[ -n "$OLD_ID" ] && [ "$OLD_ID" != "$NEW_ID" ] && podman rmi "$OLD_ID" >/dev/null 2>&1 || true
podman image ls "$BASE_IMAGE"
