# Process supervision for the cluster: detached processes with a pid file and a log each,
# time-limited readiness waits that show the log tail on failure, and a clean stop.
# Sourced after scripts/lib/common.sh and scripts/cluster/lib/paths.sh.

# proc_pid NAME: prints the pid of NAME if the process in its pid file is still NAME
# (same executable and argv[0] as when it was started), else fails.
proc_pid() {
  local name=$1 f=$CLUSTER_PIDS/$1.pid pid exe argv0
  [[ -f $f ]] || return 1
  read -r pid exe argv0 <"$f" || true
  [[ -n $pid && -d /proc/$pid ]] || return 1
  [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == "$exe" ]] || return 1
  [[ $(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n1) == "$argv0" ]] || return 1
  echo "$pid"
}

# proc_start NAME CMD ARGS...: starts CMD detached (own session), logging to
# $CLUSTER_LOGS/NAME.log, unless NAME already runs with the same command line and inputs.
# PROC_INPUTS (optional): files whose content is part of NAME's identity (config, certs,
# binary stamp): when the command line or one of them changed, a running NAME is restarted.
# Sets PROC_STARTED=1 when it started NAME, 0 when NAME was running already.
proc_start() {
  local name=$1; shift
  local pid ident
  ident=$({ printf '%s\n' "$@"; cat ${PROC_INPUTS:-} 2>/dev/null; } | sha256sum | cut -c1-16)
  PROC_STARTED=0
  if pid=$(proc_pid "$name"); then
    if [[ $(cat "$CLUSTER_PIDS/$name.ident" 2>/dev/null) == "$ident" ]]; then
      log "$name already running (pid $pid)"
      return 0
    fi
    log "$name: command line or configuration changed: restarting it"
    proc_stop "$name"
  fi
  PROC_STARTED=1
  mkdir -p "$CLUSTER_LOGS" "$CLUSTER_PIDS"
  local logf=$CLUSTER_LOGS/$name.log
  printf '\n==== %s start: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$logf"
  detach "$logf" "$@"
  pid=$DETACHED_PID
  # The executable as the kernel resolves it (through the component symlinks) and argv[0].
  local exe; exe=$(readlink -f "$(command -v "$1")")
  echo "$pid $exe $1" >"$CLUSTER_PIDS/$name.pid"
  echo "$ident" >"$CLUSTER_PIDS/$name.ident"
  log "started $name (pid $pid, log $logf)"
}

# proc_wait NAME TIMEOUT DESCRIPTION CHECK...: polls CHECK until it succeeds; fails with the
# tail of NAME's log when NAME exits or TIMEOUT seconds pass.
proc_wait() {
  local name=$1 timeout=$2 what=$3; shift 3
  local t0=$SECONDS
  until "$@" >/dev/null 2>&1; do
    if ! proc_pid "$name" >/dev/null; then
      proc_tail "$name"
      die "$name exited before $what (log above; full log: $CLUSTER_LOGS/$name.log)"
    fi
    if (( SECONDS - t0 >= timeout )); then
      proc_tail "$name"
      die "$name: no $what within ${timeout}s (log above; full log: $CLUSTER_LOGS/$name.log)"
    fi
    sleep 0.5
  done
  log "$name: $what after $((SECONDS - t0))s"
}

proc_tail() {
  echo "---- last lines of $CLUSTER_LOGS/$1.log" >&2
  tail -n "${2:-25}" "$CLUSTER_LOGS/$1.log" >&2 || true
  echo "----" >&2
}

# proc_stop NAME [TIMEOUT]: SIGTERM, then SIGKILL after TIMEOUT seconds (default 20).
proc_stop() {
  local name=$1 timeout=${2:-20} pid
  if ! pid=$(proc_pid "$name"); then
    rm -f "$CLUSTER_PIDS/$name.pid" "$CLUSTER_PIDS/$name.ident"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local t0=$SECONDS killed=0
  while [[ -d /proc/$pid ]]; do
    if (( !killed && SECONDS - t0 >= timeout )); then
      log "$name (pid $pid) still running after ${timeout}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      killed=1
    fi
    sleep 0.2
  done
  rm -f "$CLUSTER_PIDS/$name.pid" "$CLUSTER_PIDS/$name.ident"
  log "stopped $name (pid $pid)"
}

# proc_rss_kib PID: resident memory of PID in KiB (0 when gone).
proc_rss_kib() {
  awk '/^VmRSS:/ {print $2; found=1} END {if (!found) print 0}' "/proc/$1/status" 2>/dev/null || echo 0
}
