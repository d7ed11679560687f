# Sourced by the benchmarks: resident memory (KiB, VmRSS) of what runs the containers on this host.
# Read-only: it looks at /proc and `ps`, never signals anything. Sourced after scripts/contract.sh.
# The cluster's paths (its containerd socket, its pid files) are scripts/cluster.sh's own.
. "$PODGROUP_ROOT/scripts/cluster/lib/paths.sh"

# rss_kib PID...: the sum of VmRSS of the given processes (a gone process counts 0).
rss_kib() {
  local sum=0 pid v
  for pid in "$@"; do
    v=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    sum=$((sum + ${v:-0}))
  done
  echo "$sum"
}

# runtime_rss CONTAINERD_ADDRESS: "<pauses> <pause KiB> <shims> <shim KiB>" for the containers of one
# containerd (Docker's: /var/run/docker/containerd/containerd.sock, the cluster's:
# /run/podgroup-containerd/containerd.sock): its containerd-shim processes, and the pause processes
# (command line `/pause`) they started (Docker's pause and the cluster's sandbox are the same binary).
runtime_rss() {
  local address=$1 shims pauses
  shims=$(ps -eo pid=,args= | awk -v a="-address $address" '$2 ~ /containerd-shim/ && index($0, a) { print $1 }')
  pauses=$(ps -eo pid=,ppid=,args= | awk -v s=" $(echo $shims) " '$3 == "/pause" && NF == 3 && index(s, " " $2 " ") { print $1 }')
  # shellcheck disable=SC2086
  echo "$(echo $pauses | wc -w) $(rss_kib $pauses) $(echo $shims | wc -w) $(rss_kib $shims)"
}

DOCKER_CONTAINERD_ADDRESS=/var/run/docker/containerd/containerd.sock
CLUSTER_CONTAINERD_ADDRESS=$CTRD_SOCK

# docker_daemons_rss: "<dockerd KiB> <docker's containerd KiB>".
docker_daemons_rss() {
  local d c
  d=$(ps -eo pid=,comm= | awk '$2 == "dockerd" { print $1 }')
  c=$(ps -eo pid=,args= | awk '$2 == "containerd" && $4 == "/var/run/docker/containerd/containerd.toml" { print $1 }')
  # shellcheck disable=SC2086
  echo "$(rss_kib $d) $(rss_kib $c)"
}

# cluster_daemons_rss_json: {"etcd": KiB, "kube-apiserver": KiB, ...} of the local cluster's processes
# (scripts/cluster.sh's pid files); {} without a cluster.
cluster_daemons_rss_json() {
  local dir=$CLUSTER_PIDS f name pid out="" sep=""
  for f in "$dir"/*.pid; do
    [ -f "$f" ] || continue
    name=$(basename "$f" .pid)
    read -r pid _ <"$f" || continue
    out="$out$sep\"$name\": $(rss_kib "$pid")"
    sep=", "
  done
  echo "{$out}"
}

# supervisor_pid: host pid of the running sandbox supervisor (label podgroup.io/supervisor=true), or nothing.
supervisor_pid() {
  local id
  id=$(docker ps -q --filter "label=$CONTRACT_LABELS_SUPERVISOR=true" | head -1)
  [ -n "$id" ] && docker inspect -f '{{.State.Pid}}' "$id"
}
