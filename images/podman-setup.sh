#!/usr/bin/env bash
# podman-setup.sh - idempotent host setup for building/running Airbyte-style
# Python connector images with podman (rootful) on Debian bookworm.
#
#  * installs podman, runc, debootstrap & friends from Debian if missing
#  * writes /etc/containers/storage.conf            (driver overlay, or vfs fallback)
#  * writes /etc/containers/containers.conf.d/50-airbyte-ci.conf
#      - runtime runc + cgroup_manager cgroupfs (crun refuses hybrid cgroup v1/v2)
#      - default_ulimits nofile/nproc = host limits (podman would otherwise try
#        to raise them above the host's hard limit and container start fails)
#  * verifies `podman info` and a trivial `podman run` on a scratch image.
#
# Env overrides: PODMAN_STORAGE_DRIVER=overlay|vfs   SKIP_APT=1
set -euo pipefail

log() { printf '[podman-setup] %s\n' "$*" >&2; }
die() { printf '[podman-setup] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (rootful podman is what this recipe supports).
  Run: sudo $0   -- or as root: apt-get install -y podman runc debootstrap uidmap slirp4netns fuse-overlayfs containernetworking-plugins"

PKGS=(podman runc debootstrap uidmap slirp4netns fuse-overlayfs containernetworking-plugins
      iptables ca-certificates)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  [ "${SKIP_APT:-0}" = 1 ] && die "missing packages: ${missing[*]} (SKIP_APT=1). Install: apt-get install -y ${missing[*]}"
  command -v apt-get >/dev/null || die "apt-get not found; install manually: ${missing[*]}"
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -q || die "apt-get update failed (proxy? check /etc/apt and *_proxy env)"
  timeout 1200 apt-get install -y -q --no-install-recommends "${missing[@]}" \
    || die "apt-get install failed. Install manually: apt-get install -y ${missing[*]}"
else
  log "packages already installed"
fi

command -v podman >/dev/null || die "podman not on PATH after install (apt-get install -y podman)"
command -v runc   >/dev/null || die "no OCI runtime: apt-get install -y runc"
RUNC_PATH=$(command -v runc)

mkdir -p /etc/containers/containers.conf.d

# ---------- storage.conf (must exist before the first podman call) ----------
GRAPHROOT=/var/lib/containers/storage
RUNROOT=/run/containers/storage
driver="${PODMAN_STORAGE_DRIVER:-}"
if [ -z "$driver" ]; then
  # Respect an already-initialised store: switching drivers breaks it.
  if   [ -d "$GRAPHROOT/overlay-images" ]; then driver=overlay
  elif [ -d "$GRAPHROOT/vfs-images" ];     then driver=vfs
  else
    # Probe native kernel overlay on the filesystem that will hold the graphroot
    # (fails e.g. when / is itself overlayfs inside another container).
    mkdir -p "$GRAPHROOT"
    t=$(mktemp -d "$GRAPHROOT/.ovl-probe.XXXX")
    mkdir -p "$t"/{l,u,w,m}
    if mount -t overlay overlay -o "lowerdir=$t/l,upperdir=$t/u,workdir=$t/w" "$t/m" 2>/dev/null; then
      umount "$t/m"; driver=overlay
    else
      driver=vfs
    fi
    rm -rf "$t"
  fi
fi
log "storage driver: $driver"
STORAGE_CONF=/etc/containers/storage.conf
want_storage=$(cat <<EOF
# written by images/podman-setup.sh
[storage]
driver = "$driver"
runroot = "$RUNROOT"
graphroot = "$GRAPHROOT"

[storage.options.overlay]
mountopt = "nodev"
EOF
)
if [ "$driver" = vfs ]; then want_storage=$(printf '%s\n' "$want_storage" | sed '/^\[storage.options.overlay\]/,$d'); fi
if [ ! -f "$STORAGE_CONF" ] || [ "$(cat "$STORAGE_CONF")" != "$want_storage" ]; then
  [ -f "$STORAGE_CONF" ] && cp -n "$STORAGE_CONF" "$STORAGE_CONF.orig" || true
  printf '%s\n' "$want_storage" > "$STORAGE_CONF"; log "wrote $STORAGE_CONF"
fi

# ---------- containers.conf.d ----------
nofile_s=$(ulimit -Sn); nofile_h=$(ulimit -Hn)
nproc_s=$(ulimit -Su);  nproc_h=$(ulimit -Hu)
# "unlimited" is not accepted by podman; clamp to a sane number.
for v in nofile_s nofile_h nproc_s nproc_h; do
  [ "${!v}" = unlimited ] && printf -v "$v" '%s' 1048576
done
# Rootful podman clamps its *own* RLIMIT_NPROC to kernel.pid_max at startup and
# the container cannot get more than podman/conmon have (runc prlimit -> EPERM
# without CAP_SYS_RESOURCE). So nproc = min(host limit, pid_max).
pid_max=$(cat /proc/sys/kernel/pid_max 2>/dev/null || echo 4194304)
[ "$nproc_h" -gt "$pid_max" ] && nproc_h=$pid_max
[ "$nproc_s" -gt "$nproc_h" ] && nproc_s=$nproc_h
CONF=/etc/containers/containers.conf.d/50-airbyte-ci.conf
want_conf=$(cat <<EOF
# written by images/podman-setup.sh
[containers]
# never ask for more than the host allows (host: nofile $nofile_s:$nofile_h, nproc $nproc_s:$nproc_h)
default_ulimits = [
  "nofile=$nofile_s:$nofile_h",
  "nproc=$nproc_s:$nproc_h",
]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"

[engine.runtimes]
runc = ["$RUNC_PATH"]
EOF
)
if [ ! -f "$CONF" ] || [ "$(cat "$CONF")" != "$want_conf" ]; then
  printf '%s\n' "$want_conf" > "$CONF"; log "wrote $CONF"
fi

# ---------- verify ----------
info=$(timeout 120 podman info --format '{{.Host.OCIRuntime.Name}} {{.Host.CgroupManager}} {{.Store.GraphDriverName}}' 2>&1) \
  || die "podman info failed: $info"
log "podman info: runtime/cgroup/driver = $info"
case "$info" in runc\ cgroupfs\ *) ;; *) die "unexpected podman config: $info";; esac

# smoke test: run /bin/true from a tiny scratch image built from host files
# (no registry needed): the binary plus the shared libraries ldd reports.
if ! podman image exists localhost/podman-setup-smoke:1; then
  d=$(mktemp -d)
  for f in /bin/true $(ldd /bin/true | grep -o '/[^ ]*'); do
    mkdir -p "$d$(dirname "$f")"; cp -L "$f" "$d$f"
  done
  tar -C "$d" -c . | timeout 120 podman import --quiet - localhost/podman-setup-smoke:1 >/dev/null
  rm -rf "$d"
fi
timeout 120 podman run --rm --network=host localhost/podman-setup-smoke:1 /bin/true \
  || die "podman run failed (check runc, cgroups, ulimits in $CONF)"
log "podman run OK"
log "done: $(podman --version), $(runc --version | head -1)"
