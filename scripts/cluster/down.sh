#!/usr/bin/env bash
# Stops the single-node cluster and removes what it left on the host, then checks that
# nothing is left. Keeps the certificates, the kubeconfigs, the binaries (machine cache) and
# containerd's image store (so the next `up` needs no re-import); removes etcd's data.
# Order: kubelet first (so it restarts nothing), then every pod through CRI (tasks killed,
# CNI DEL, rootfs/shm/netns unmounted), containerd, the control plane, leftover mounts under
# the cluster's dirs, the pod network (bridge, veths, tagged iptables rules), kubepods cgroups.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib/paths.sh"
. "$(dirname "$0")/lib/proc.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
T0=$SECONDS

ctr_() { ctr -a "$CTRD_SOCK" "$@"; }

# Shims started by the cluster's containerd (they name its socket on their command line).
our_shims() { pgrep -f -- "(^|/)containerd-shim-runc-v2 .*-address $CTRD_SOCK( |\$)" || true; }

remove_pods() {
  if ! ctr_ version >/dev/null 2>&1; then
    [[ -n $(our_shims) ]] || return 0
    # Pods outlived containerd: start it again so that CRI can tear them down properly.
    log "containerd is down but pod shims remain: starting containerd to remove them"
    PROC_INPUTS="$CLUSTER_STATE/containerd.toml" \
      proc_start containerd /usr/bin/containerd --config "$CLUSTER_STATE/containerd.toml" --log-level warn
    proc_wait containerd 30 "socket answers" ctr_ version
  fi
  if [[ -x $KUBE_DIR/kube ]]; then
    "$KUBE_DIR/kube" cri reset "unix://$CTRD_SOCK" || log "CRI reset reported errors (continuing with ctr)"
  fi
  # Whatever CRI did not remove (or containers made with ctr directly): kill and delete.
  local ns id
  for ns in $(ctr_ namespaces ls -q); do
    for id in $(ctr_ -n "$ns" tasks ls -q 2>/dev/null); do
      ctr_ -n "$ns" tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
      ctr_ -n "$ns" tasks delete -f "$id" >/dev/null 2>&1 || true
    done
    for id in $(ctr_ -n "$ns" containers ls -q 2>/dev/null); do
      ctr_ -n "$ns" containers delete "$id" >/dev/null 2>&1 || true
    done
  done
}

stop_control_plane() {
  local n
  # etcd's data is deleted anyway: the control plane gets 10s to exit cleanly, no more.
  for n in kube-scheduler kube-controller-manager kube-apiserver etcd; do proc_stop "$n" 10; done
}

kill_shims() {
  local pids; pids=$(our_shims)
  [[ -z $pids ]] && return 0
  log "killing leftover shims of the cluster's containerd: $pids"
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
}

# Mounts under the cluster's directories, deepest first.
our_mounts() {
  awk -v a="$CLUSTER_STATE/" -v b="$CTRD_STATE/" \
    'index($2 "/", a) == 1 || index($2 "/", b) == 1 {print $2}' /proc/mounts | sort -r
}

unmount_all() {
  local m
  for m in $(our_mounts); do
    # kubelet bind-mounts its root dir onto itself (rshared): expected after a clean stop.
    umount "$m" 2>/dev/null || umount -l "$m"
    log "unmounted $m"
  done
}

# The kubepods cgroup tree kubelet made in each hierarchy (empty once the pods are gone).
remove_cgroups() {
  local top
  for top in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/unified/kubepods /sys/fs/cgroup/kubepods; do
    [[ -d $top ]] || continue
    find "$top" -depth -type d -exec rmdir {} + 2>/dev/null || log "could not remove all of $top (processes left in it?)"
  done
}

leftovers() {
  local left=() pid name
  for name in kubelet containerd kube-scheduler kube-controller-manager kube-apiserver etcd; do
    pid=$(proc_pid "$name") && left+=("process $name ($pid)")
  done
  [[ -n $(our_shims) ]] && left+=("shims: $(our_shims | tr '\n' ' ')")
  [[ -n $(our_mounts) ]] && left+=("mounts: $(our_mounts | tr '\n' ' ')")
  [[ -S $CTRD_SOCK ]] && left+=("socket $CTRD_SOCK")
  ls /sys/fs/cgroup/*/kubepods >/dev/null 2>&1 && left+=("kubepods cgroups")
  bash "$HERE/network.sh" check >/dev/null 2>&1 || left+=("pod network ($(bash "$HERE/network.sh" check 2>&1 | sed 's/.*leftovers: //'))")
  ((${#left[@]} == 0)) && return 0
  printf '  left: %s\n' "${left[@]}" >&2
  return 1
}

[[ $(id -u) == 0 ]] || die "scripts/cluster.sh down needs root"
step "stop kubelet" proc_stop kubelet 30
step "remove pods" remove_pods
step "stop containerd" proc_stop containerd 20
kill_shims
step "stop control plane" stop_control_plane
unmount_all
step "remove pod network" bash "$HERE/network.sh" down
remove_cgroups
rm -rf "$CLUSTER_STATE/etcd" "$CLUSTER_STATE/kubelet" "$CLUSTER_STATE/pod-logs" \
  "$CLUSTER_STATE/kubelet-plugins" "$CLUSTER_STATE/opt" "$CTRD_STATE" "$CLUSTER_PIDS"
if leftovers; then
  log "cluster down in $((SECONDS - T0))s; nothing left (kept: certificates and kubeconfigs in $CLUSTER_STATE, images in $CTRD_ROOT, binaries in $KUBE_DIR)"
else
  die "cluster down, but something is left (above)"
fi
