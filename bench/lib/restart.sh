# Sourced by the benchmarks and the fault tests: restarts a daemon of this host the way it was
# started (scripts/engine.sh for dockerd, scripts/cluster.sh for the cluster's containerd and
# kubelet): the same command line, working directory and log file, detached in its own session
# (common.sh's detach), and its pid file updated, so that `scripts/engine.sh stop` and
# `scripts/cluster.sh down` still find it. Sourced after scripts/lib/common.sh.
. "$PODGROUP_ROOT/scripts/cluster/lib/paths.sh"   # CLUSTER_PIDS: where scripts/cluster.sh keeps its pid files

# restart_daemon PID PIDFILE: SIGTERM (SIGKILL after 60 s), then the same command again. PIDFILE
# (may be empty) holds the pid as its first word (engine.sh: "pid"; cluster.sh: "pid exe argv0"):
# that word is replaced. Prints nothing; sets RESTARTED_PID, STOPPED_MS (SIGTERM -> exited) and
# RESTART_AT_MS (wall clock, ms, when the new process was started).
restart_daemon() {
  local pid=$1 pidfile=$2 logf cwd t0 argv=()
  [ -r "/proc/$pid/cmdline" ] || die "restart_daemon: no process $pid"
  mapfile -d '' argv <"/proc/$pid/cmdline"
  logf=$(readlink "/proc/$pid/fd/1" 2>/dev/null || true)
  case $logf in /*) [ -e "$logf" ] || logf=/dev/null ;; *) logf=/dev/null ;; esac
  cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null || echo /)
  t0=$(( $(date +%s%N) / 1000000 ))
  kill -TERM "$pid"
  local waited=0
  while [ -d "/proc/$pid" ]; do
    if [ "$waited" -ge 600 ]; then kill -KILL "$pid" 2>/dev/null || true; fi
    sleep 0.1; waited=$((waited + 1))
  done
  STOPPED_MS=$(( $(date +%s%N) / 1000000 - t0 ))
  printf '\n==== %s restarted by bench/lib/restart.sh: %s\n' "$(date -u +%FT%TZ)" "${argv[*]}" >>"$logf" 2>/dev/null || true
  RESTART_AT_MS=$(( $(date +%s%N) / 1000000 ))
  local here=$PWD
  cd "$cwd"
  detach "$logf" "${argv[@]}"
  cd "$here"
  RESTARTED_PID=$DETACHED_PID
  if [ -n "$pidfile" ] && [ -f "$pidfile" ]; then
    local rest
    rest=$(cut -d' ' -f2- -s "$pidfile")
    echo "$RESTARTED_PID${rest:+ $rest}" >"$pidfile"
  fi
}

# dockerd_pid: the pid of the dockerd serving /var/run/docker.sock.
dockerd_pid() { ps -eo pid=,comm= | awk '$2 == "dockerd" { print $1; exit }'; }

# dockerd_pidfile PID: the scripts/engine.sh pid file that holds PID (next to its log), or nothing.
dockerd_pidfile() {
  local logf
  logf=$(readlink "/proc/$1/fd/1" 2>/dev/null || true)
  [ -n "$logf" ] && [ -f "$(dirname "$logf")/dockerd.pid" ] && [ "$(cat "$(dirname "$logf")/dockerd.pid")" = "$1" ] && echo "$(dirname "$logf")/dockerd.pid"
  return 0
}

# restart_dockerd: dockerd restarted as scripts/engine.sh started it (live-restore as it was: off
# here); waits until it answers. Sets DOCKERD_ANSWERS_MS (after RESTART_AT_MS).
restart_dockerd() {
  local pid
  pid=$(dockerd_pid)
  [ -n "$pid" ] || die "no dockerd runs"
  restart_daemon "$pid" "$(dockerd_pidfile "$pid")"
  local t
  until timeout 5 docker info >/dev/null 2>&1; do
    t=$(( $(date +%s%N) / 1000000 - RESTART_AT_MS ))
    [ "$t" -lt 120000 ] || die "dockerd does not answer 120 s after its restart"
    sleep 0.1
  done
  DOCKERD_ANSWERS_MS=$(( $(date +%s%N) / 1000000 - RESTART_AT_MS ))
}

# restart_cluster_component NAME: containerd or kubelet of scripts/cluster.sh, restarted the same way.
restart_cluster_component() {
  local name=$1 pidfile=$CLUSTER_PIDS/$1.pid pid
  [ -f "$pidfile" ] || die "no $name of the local cluster ($pidfile)"
  read -r pid _ <"$pidfile"
  [ -d "/proc/$pid" ] || die "$name (pid $pid) is not running"
  restart_daemon "$pid" "$pidfile"
}
