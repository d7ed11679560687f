#!/usr/bin/env bash
# The project's real single-node Kubernetes (no internet, no registry): Kubernetes built from
# the Go module proxy as one multi-call binary, Debian's etcd, containerd, runc and CNI plugins.
#   up           build the binary when missing, start everything, load the images, wait for the
#                node to be Ready; idempotent (quick when warm). Prints the kubeconfig path.
#   down         stop everything, remove pods, mounts, bridge, iptables rules and etcd data;
#                keep certificates, binaries and imported images. Fails if anything is left.
#   status       processes with their memory, node readiness, pods in the runtime.
#   load-images  (re)load the project's images (images/images.json) into the cluster's containerd.
#   kubectl ...  kubectl of the cluster's version with its admin kubeconfig.
# State: /var/lib/podgroup-cluster (certs, kubeconfigs, logs/, pids/); binary cache:
# $PODGROUP_CACHE/kubernetes/<version>/. Details: scripts/cluster/*.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-}
[[ $# -gt 0 ]] && shift
# One up/down/load-images at a time per machine. flock -o: the processes they start (etcd,
# kubelet, dockerd...) must not inherit the lock.
locked() {
  local state=${PODGROUP_CLUSTER_STATE:-/var/lib/podgroup-cluster}
  mkdir -p "$state"
  if ! flock -n -o "$state/.lock" true; then
    echo "[podgroup] another scripts/cluster.sh up/down/load-images is running: waiting for it" >&2
  fi
  exec flock -o "$state/.lock" "$@"
}
case $cmd in
  up) locked bash "$here/cluster/up.sh" "$@" ;;
  down) locked bash "$here/cluster/down.sh" "$@" ;;
  status) exec bash "$here/cluster/status.sh" "$@" ;;
  load-images) locked bash "$here/cluster/load-images.sh" "$@" ;;
  kubectl)
    . "$here/lib/common.sh"; . "$here/cluster/lib/paths.sh"
    exec "$KUBE_DIR/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" "$@" ;;
  *) echo "usage: $0 up|down|status|load-images|kubectl ARGS..." >&2; exit 2 ;;
esac
