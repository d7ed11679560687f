#!/usr/bin/env bash
# Shims per group: N groups x M members on a private Docker engine, once as Docker runs them (one
# containerd-shim-runc-v2 per container) and once with bench/shim-sharing/containerd-shim-runc-v2 first on
# the PATH of the engine's containerd (a group's members served by their pause's shim). Prints per run the
# shim count and their memory (VmRSS sum, and Pss sum, which splits shared pages among the processes
# that map them), then checks what a shared shim changes when a member exits and when the shim dies.
# The private engine has its own socket, data and exec roots, containerd and bridge device (never
# `--bridge none`, which deletes the host's docker0); the main engine is only read (`docker save`).
# Needs root, ip, jq. Usage: bash bench/shim-sharing.sh [GROUPS] [MEMBERS]   (default 10 3)
. "$(dirname "$0")/../scripts/lib/common.sh"
N=${1:-10}
M=${2:-3}
PAUSE=$(image_ref pause)
TOOLBOX=$(image_ref toolbox)
DIR=$(mktemp -d /tmp/pgshim-XXXXXX)
SOCK=$DIR/docker.sock
BRIDGE=pgshim$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')
CTRD=$DIR/exec/containerd/containerd.sock
WRAPPER_DIR=$PODGROUP_ROOT/bench/shim-sharing
pd() { docker -H "unix://$SOCK" "$@"; }

cleanup() {
  set +e
  if [ -S "$SOCK" ]; then pd ps -aq | xargs -r docker -H "unix://$SOCK" rm -f >/dev/null 2>&1; fi
  stop_engine
  umount -R "$DIR/data" "$DIR/exec" 2>/dev/null
  rm -rf "$DIR"
  ip link del "$BRIDGE" 2>/dev/null
}
trap cleanup EXIT

make_bridge() {
  local used i subnet=""
  used=$(ip -4 -o addr)
  for i in $(seq 1 254); do
    if ! grep -q " 10.214.$i\." <<<"$used"; then subnet=10.214.$i; break; fi
  done
  [ -n "$subnet" ] || die "no free /24 in 10.214.0.0/16 for the private engine's bridge"
  ip link add "$BRIDGE" type bridge
  ip addr add "$subnet.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

# start_engine [PATH_PREFIX]: dockerd (and the containerd it starts) with PATH_PREFIX first on PATH.
start_engine() {
  env PATH="${1:+$1:}$PATH" dockerd --host "unix://$SOCK" --data-root "$DIR/data" --exec-root "$DIR/exec" \
    --pidfile "$DIR/docker.pid" --bridge "$BRIDGE" --iptables=false --ip6tables=false --ip-masq=false \
    >>"$DIR/dockerd.log" 2>&1 &
  local i
  for i in $(seq 1 120); do pd version >/dev/null 2>&1 && return 0; sleep 0.5; done
  tail -20 "$DIR/dockerd.log" >&2; die "the private dockerd did not answer"
}
stop_engine() {
  local pid
  pid=$(cat "$DIR/docker.pid" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
}

# The engine's shims (their -address is this engine's containerd) and the pauses they run.
shims() { ps -eo pid=,args= | awk -v a="-address $CTRD" '$2 ~ /containerd-shim/ && index($0, a) { print $1 }'; }
kib_sum() { # FIELD PID...: sum of a /proc field (VmRSS from status, Pss from smaps_rollup)
  local f=$1 p s=0 v; shift
  for p in "$@"; do
    if [ "$f" = Pss ]; then v=$(awk '$1 == "Pss:" { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null)
    else v=$(awk -v k="$f:" '$1 == k { print $2 }' "/proc/$p/status" 2>/dev/null); fi
    s=$((s + ${v:-0}))
  done
  echo "$s"
}

# run_groups [DOCKER RUN FLAGS...]: the N groups, every group in parallel.
run_groups() {
  local g p i jobs=()
  for g in $(seq 1 "$N"); do
    (
      p=$(pd run -d "$@" --name "shimbench-$g-pause" --ipc shareable --restart always "$PAUSE")
      for i in $(seq 1 "$M"); do
        pd run -d "$@" --name "shimbench-$g-m$i" --net "container:$p" --ipc "container:$p" --pid "container:$p" \
          --restart always "$TOOLBOX" sleep 100000 >/dev/null
      done
    ) &
    jobs+=($!)
  done
  wait "${jobs[@]}" # not `wait`: dockerd is a job of this shell too
  [ "$(pd ps -q | wc -l)" -eq $((N * (M + 1))) ] || die "not every container is running"
}

measure() { # LABEL
  sleep 2
  local s rss pss
  s=$(shims)
  # shellcheck disable=SC2086
  rss=$(kib_sum VmRSS $s) pss=$(kib_sum Pss $s)
  # shellcheck disable=SC2086
  printf '%-8s %3d groups x %d members (%3d containers): %3d shims, ' \
    "$1" "$N" "$M" $((N * (M + 1))) "$(echo $s | wc -w)"
  printf 'VmRSS %6d KiB (%5.1f MiB/group), Pss %6d KiB (%5.1f MiB/group)\n' \
    "$rss" "$(echo "$rss / 1024 / $N" | bc -l)" "$pss" "$(echo "$pss / 1024 / $N" | bc -l)"
}

# state NAME...: "name=status/restarts/pid" of the given containers.
state() {
  local c
  for c in "$@"; do
    printf '%s=%s ' "$c" "$(pd inspect -f '{{.State.Status}}/{{.RestartCount}}/{{.State.Pid}}' "$c")"
  done
  echo
}

[ "$(id -u)" = 0 ] || die "needs root (a private dockerd)"
make_bridge
start_engine
docker save "$PAUSE" "$TOOLBOX" | pd load >/dev/null
log "private engine in $DIR, bridge $BRIDGE; $N groups x $M members"

run_groups; measure docker
pd ps -aq | xargs -r docker -H "unix://$SOCK" rm -f >/dev/null
# Docker 20.10 also offers containerd's v1 shim (containerd-shim, deprecated, gone in containerd 2.0).
run_groups --runtime io.containerd.runtime.v1.linux 2> >(grep -v 'is deprecated' >&2); measure v1-shim
pd ps -aq | xargs -r docker -H "unix://$SOCK" rm -f >/dev/null
stop_engine

start_engine "$WRAPPER_DIR"
run_groups; measure grouped
p1=$(pd inspect -f '{{.State.Pid}}' shimbench-1-pause)
shim1=$(ps -o ppid= -p "$p1" | tr -d ' ')
echo "group 1: shim $shim1 is the parent of $(ps -o pid= --ppid "$shim1" | wc -w) container processes"

# A member exits: its restart policy brings it back, into the same shim.
members=$(seq 1 "$M" | sed 's/^/shimbench-1-m/' | tr '\n' ' ')
kill -9 "$(pd inspect -f '{{.State.Pid}}' shimbench-1-m1)"
sleep 3
# shellcheck disable=SC2086
echo "member killed, after 3 s: $(state $members)"
echo "m1's shim now: $(ps -o ppid= -p "$(pd inspect -f '{{.State.Pid}}' shimbench-1-m1)")"

# The group's shim dies: every container it served goes with it (as a Pod's containers with theirs).
kill -9 "$shim1"
sleep 5
# shellcheck disable=SC2086
echo "shim killed, after 5 s: $(state shimbench-1-pause $members)"
sleep 10
# shellcheck disable=SC2086
echo "after 15 s: $(state shimbench-1-pause $members)"
echo "group 2 untouched: $(state shimbench-2-pause shimbench-2-m1)"
echo "dockerd's errors since the shim was killed:"
grep 'level=error' "$DIR/dockerd.log" | tail -n 6 | cut -c1-300
