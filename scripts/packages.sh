# Sourced (after scripts/lib/common.sh) by scripts/setup.sh and scripts/engine.sh: the one list of
# what the project needs from Debian, and the one way to install it.

# The Docker engine, the images (busybox for the toolbox, musl for the pause) and iptables.
DEBIAN_PACKAGES_ENGINE=(docker.io containerd runc busybox-static musl-tools iptables)
# The local Kubernetes cluster (scripts/cluster.sh).
DEBIAN_PACKAGES_CLUSTER=(etcd-server containernetworking-plugins openssl iproute2 conntrack socat)
DEBIAN_PACKAGES=("${DEBIAN_PACKAGES_ENGINE[@]}" "${DEBIAN_PACKAGES_CLUSTER[@]}")

# ensure_debian_packages PKG...: installs those not installed yet; runs apt-get update only when
# the install cannot go ahead with the package lists already there (stale or empty lists).
ensure_debian_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && { log "all $# Debian packages present"; return 0; }
  log "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" || {
    apt-get update &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  }
}
