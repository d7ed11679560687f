#!/usr/bin/env bash
# The Docker engine the Docker backend runs on: `start`, `stop`, `status`.
#   start   install the Debian packages when missing, start dockerd when nothing answers on
#           /var/run/docker.sock, wait until `docker info` answers, check storage driver and API
#           version negotiation. An engine that is already running is left alone.
#   stop    stop dockerd only if `start` of this checkout started it (pid file); else do nothing.
#   status  say whether an engine answers, who started it, its version, driver and API versions.
# There is no systemd here: dockerd runs detached (setsid), logs to $PODGROUP_RUN/engine/dockerd.log.
. "$(dirname "$0")/lib/common.sh"

ENGINE_DIR=$PODGROUP_RUN/engine
PID_FILE=$ENGINE_DIR/dockerd.pid
LOG_FILE=$ENGINE_DIR/dockerd.log
SOCK=/var/run/docker.sock
START_TIMEOUT=${PODGROUP_ENGINE_TIMEOUT:-60}
. "$PODGROUP_ROOT/scripts/packages.sh"

# answers: true when a daemon answers on the socket (the CLI negotiates the API version down).
answers() { [ -S "$SOCK" ] && timeout 10 docker info >/dev/null 2>&1; }

# our_pid: the pid of the dockerd this checkout started, if it is still that dockerd.
our_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid; pid=$(cat "$PID_FILE")
  [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = dockerd ] && echo "$pid"
}

ensure_packages() { ensure_debian_packages "${DEBIAN_PACKAGES_ENGINE[@]}"; }

# check: what kind of engine answers; fails on an unusable storage driver or API mismatch.
check() {
  local versions driver
  versions=$(docker version --format 'client {{.Client.Version}} (API {{.Client.APIVersion}}), server {{.Server.Version}} (API {{.Server.APIVersion}}, min {{.Server.MinAPIVersion}})') \
    || die "the docker CLI ($(command -v docker)) cannot talk to the daemon: API version negotiation failed"
  driver=$(docker info --format '{{.Driver}}')
  log "engine: $versions; storage driver $driver; cgroup driver $(docker info --format '{{.CgroupDriver}} v{{.CgroupVersion}}')"
  case $driver in
    overlay2) ;;
    vfs) log "WARNING: storage driver vfs (overlay2 unavailable here): works, but every layer is a full copy" ;;
    *) log "NOTE: storage driver is $driver, not overlay2" ;;
  esac
}

start() {
  local pid
  ensure_packages
  if answers; then
    if pid=$(our_pid); then
      log "dockerd already running (pid $pid, started by this checkout)"
    else
      log "a Docker engine already answers on $SOCK: leaving it alone (stop will not touch it)"
      rm -f "$PID_FILE"
    fi
    check
    return 0
  fi
  if pid=$(our_pid); then
    die "dockerd (pid $pid, started earlier) is running but does not answer on $SOCK; see $LOG_FILE or run: $0 stop"
  fi
  mkdir -p "$ENGINE_DIR"
  log "starting dockerd (log: $LOG_FILE)"
  # Its own session (it outlives the shell that started it), and none of this shell's descriptors.
  detach "$LOG_FILE" dockerd --host "unix://$SOCK"
  echo "$DETACHED_PID" >"$PID_FILE"
  local t0=$SECONDS
  until answers; do
    if ! our_pid >/dev/null; then
      tail -n 30 "$LOG_FILE" >&2
      rm -f "$PID_FILE"
      die "dockerd exited during start-up (log above, full log: $LOG_FILE)"
    fi
    if (( SECONDS - t0 >= START_TIMEOUT )); then
      tail -n 30 "$LOG_FILE" >&2
      die "dockerd did not answer within ${START_TIMEOUT}s (log above, full log: $LOG_FILE)"
    fi
    sleep 0.5
  done
  log "dockerd answers after $((SECONDS - t0))s (pid $(cat "$PID_FILE"))"
  check
}

stop() {
  local pid
  if ! pid=$(our_pid); then
    rm -f "$PID_FILE"
    if answers; then log "the running Docker engine was not started by this checkout: leaving it running"
    else log "no Docker engine started by this checkout"; fi
    return 0
  fi
  log "stopping dockerd (pid $pid)"
  kill -TERM "$pid"
  local t0=$SECONDS
  while [ -d "/proc/$pid" ]; do
    if (( SECONDS - t0 >= 30 )); then
      log "dockerd still running after 30s: sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.5
  done
  rm -f "$PID_FILE"
  log "dockerd stopped"
}

status() {
  local pid
  if answers; then
    if pid=$(our_pid); then log "running, started by this checkout (pid $pid, log $LOG_FILE)"
    else log "running, started by someone else (stop leaves it alone)"; fi
    check
  else
    log "no Docker engine answers on $SOCK"
    return 1
  fi
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
