#!/usr/bin/env bash
# Mass recovery: N groups (a pause + web + side1, restart policy Always; bench/scale/spec.ts) at
# once, on Docker with the sandbox supervisor and as Pods on the local cluster:
#   pause kill        every pause (Docker) / every Pod sandbox (Kubernetes) SIGKILLed in one go
#                     from the host; time until every group runs whole in a new sandbox
#   daemon restart    dockerd restarted without live-restore, the way scripts/engine.sh runs it
#                     (bench/lib/restart.sh): it stops every container; time from the restart
#                     until every group is whole again. On the cluster: its containerd restarted
#                     the same way (containers survive in their shims: time until every Pod is
#                     Ready, and whether any container was replaced), and kubelet likewise.
# The supervisor's CPU and memory idle (10 s with the N groups running) and while recovering.
# Fresh groups for each event (so no back-off from an earlier event applies, on either side).
# Writes a JSON object to $PODGROUP_RECOVERY_OUT (default reports/bench/mass-recovery.json) and
# prints a summary; bench/scale.sh runs it and puts it in scale.json as `massRecovery`.
# Usage: bash bench/mass-recovery.sh [N]   (default 30; needs the engine, the images, the
#   supervisor image and, for the Kubernetes column, `bash scripts/cluster.sh up`).
#   PODGROUP_RECOVERY_EVENTS="kill restart" picks the events; PODGROUP_RECOVERY_MAX_SANDBOX_STARTS
#   sets the supervisor's bound on sandbox starts in flight (default: the supervisor's own).
# It restarts dockerd and the cluster's containerd and kubelet: run it only when nothing else
# uses them (under /tmp/podgroup-engine.lock on a shared machine).
. "$(dirname "$0")/../scripts/lib/common.sh"
. "$PODGROUP_ROOT/scripts/contract.sh"
. "$PODGROUP_ROOT/bench/naming.sh"
. "$PODGROUP_ROOT/bench/lib/host-memory.sh"
. "$PODGROUP_ROOT/bench/lib/scale-common.sh"
. "$PODGROUP_ROOT/bench/lib/restart.sh"
cd "$PODGROUP_ROOT"
N=${1:-30}
OUTFILE=${PODGROUP_RECOVERY_OUT:-reports/bench/mass-recovery.json}
EVENTS=${PODGROUP_RECOVERY_EVENTS:-kill restart}
TARGETS="docker kubernetes"
TOOLBOX=$(image_ref toolbox)
SUP_NAME=podgroup-supervisor-bench
SUP_STATE=$PODGROUP_RUN/bench-supervisor
WORK=$(dirname "$OUTFILE")/mass-recovery-work
mkdir -p "$WORK"
mr() { node "$KBUILD/bench/mass-recovery.js" "$@"; }
has_event() { [[ " $EVENTS " == *" $1 "* ]]; }

docker info >/dev/null 2>&1 || die "no Docker engine: bash scripts/engine.sh start"
[ "$(docker info -f '{{.LiveRestoreEnabled}}')" = false ] || die "this engine runs with live-restore: the daemon restart measured here is the one without it"
bash images/supervisor/build.sh >/dev/null 2>&1 || die "supervisor image build failed: bash images/supervisor/build.sh"
K8S=true
kc get --raw /readyz >/dev/null 2>&1 || { K8S=false; log "no Kubernetes cluster: the Kubernetes column is not measured"; }
# Always: the build also holds what mass-recovery.ts imports (components/, rendered-group.ts, scale/spec.ts),
# which a date check against mass-recovery.ts alone would miss.
compile_bench_ts

cleanup() {
  docker ps -aq --filter "label=$BENCH_KEY" | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker volume ls -q --filter "label=$BENCH_KEY" | xargs -r docker volume rm >/dev/null 2>&1 || true
  if $K8S; then kc delete pods -l "$BENCH_KEY" --ignore-not-found --wait=false >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
cleanup

# The supervisor: the one already running on this engine, or our own (removed at the end).
SUP=$(docker ps --filter "label=$CONTRACT_LABELS_SUPERVISOR=true" --format '{{.Names}}' | head -1)
if [ -n "$SUP" ] && [ -n "${PODGROUP_RECOVERY_MAX_SANDBOX_STARTS:-}" ]; then
  die "PODGROUP_RECOVERY_MAX_SANDBOX_STARTS is set but a supervisor ($SUP) already runs on this engine and would be used as it is: stop it first"
fi
if [ -z "$SUP" ]; then
  mkdir -p "$SUP_STATE"
  mr supervisor "$SUP_NAME" "$SUP_STATE" >/dev/null || die "creating the supervisor failed"
  docker start "$SUP_NAME" >/dev/null
  t0=$(now_ms)
  until docker logs "$SUP_NAME" 2>&1 | grep -q "msg=$CONTRACT_SUPERVISOR_READY_MESSAGE"; do
    (( $(now_ms) - t0 < 30000 )) || die "supervisor not ready: $(docker logs "$SUP_NAME" 2>&1 | tail -5)"
    sleep 0.1
  done
  SUP=$SUP_NAME
fi
log "supervisor: $SUP"

# cpu_ticks PID: utime + stime (clock ticks).
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
# idle_sample SECONDS: the supervisor's CPU % and RSS over SECONDS with the groups running.
idle_sample() {
  local pid t0 t1
  pid=$(docker inspect -f '{{.State.Pid}}' "$SUP")
  t0=$(cpu_ticks "$pid"); sleep "$1"; t1=$(cpu_ticks "$pid")
  jq -n --argjson c "$(( t1 - t0 ))" --argjson s "$1" --argjson r "$(rss_kib "$pid")" \
    '{cpuSeconds: ($c / 100), wallSeconds: $s, cpuPercent: ((10000 * $c / 100 / $s | floor) / 100), rssKiB: $r}'
}
# docker_groups_up PREFIX: N supervised groups, running and settled.
docker_groups_up() {
  log "creating $N supervised groups ($1)"
  mr docker-create "$1" "$N" >/dev/null || die "creating the groups failed"
  [ "$(running_count "$1")" -eq $((N * 3)) ] || die "$(running_count "$1") of $((N * 3)) containers running"
  sleep 3
}
docker_groups_down() { docker ps -aq --filter "label=$BENCH_KEY=$1" | xargs -r docker rm -f >/dev/null; }
pods_up() {
  log "creating $N Pods ($1)"
  pods_yaml "$1" "$N" 2 | kc apply -f - >/dev/null
  kc wait --for=condition=Ready pod -l "$BENCH_KEY=$1" --timeout=600s >/dev/null || die "Pods $1 not Ready"
  sleep 2
}
pods_down() { kc delete pods -l "$BENCH_KEY=$1" --wait=true >/dev/null 2>&1 || true; }

IDLE=null; KILL_D=null; KILL_K=null; RESTART_D=null; RESTART_CTRD=null; RESTART_KUBELET=null
SUP_AT_REST=$(idle_sample 5)

if has_event kill; then
  docker_groups_up mr-kill
  IDLE=$(idle_sample 10)
  log "supervisor idle with $N groups: $IDLE"
  log "killing every pause at once"
  KILL_D=$(mr docker-kill-wait mr-kill "$SUP") || die "Docker mass pause kill: not recovered"
  log "docker + supervisor: $KILL_D"
  docker_groups_down mr-kill
  if $K8S; then
    pods_up mk-kill
    log "killing every Pod sandbox at once"
    KILL_K=$(mr k8s-kill-wait mk-kill) || die "Kubernetes mass sandbox kill: not recovered"
    log "kubernetes: $KILL_K"
    pods_down mk-kill
  fi
fi

if has_event restart; then
  docker_groups_up mr-restart
  mr docker-snapshot mr-restart >"$WORK/docker-snapshot.json"
  log "restarting dockerd (no live-restore: every container stops)"
  restart_dockerd
  log "dockerd: stopped in $STOPPED_MS ms, answers $DOCKERD_ANSWERS_MS ms after its start"
  RESTART_D=$(mr docker-wait mr-restart "$SUP" "$WORK/docker-snapshot.json" "$RESTART_AT_MS") || die "Docker: groups not whole after the daemon restart"
  RESTART_D=$(jq -c --argjson s "$STOPPED_MS" --argjson a "$DOCKERD_ANSWERS_MS" '. + {dockerdStopMs: $s, dockerdAnswersAfterMs: $a, wholeAfterAnswerMs: (.wholeAfterMs - $a)}' <<<"$RESTART_D")
  log "docker + supervisor after the daemon restart: $RESTART_D"
  docker_groups_down mr-restart
  if $K8S; then
    for component in containerd kubelet; do
      pods_up "mk-$component"
      mr k8s-snapshot "mk-$component" >"$WORK/k8s-snapshot-$component.json"
      log "restarting the cluster's $component"
      restart_cluster_component "$component"
      r=$(mr k8s-wait "mk-$component" "$WORK/k8s-snapshot-$component.json" "$RESTART_AT_MS") || die "Kubernetes: Pods not Ready after the $component restart"
      r=$(jq -c --argjson s "$STOPPED_MS" '. + {stopMs: $s}' <<<"$r")
      log "kubernetes after the $component restart: $r"
      if [ "$component" = containerd ]; then RESTART_CTRD=$r; else RESTART_KUBELET=$r; fi
      pods_down "mk-$component"
    done
    # The node must be Ready again for whatever runs next.
    until [ "$(kc get node -o 'jsonpath={.items[0].status.conditions[?(@.type=="Ready")].status}')" = True ]; do sleep 0.5; done
  fi
fi

jq -n --argjson n "$N" --argjson rest "$SUP_AT_REST" --argjson idle "$IDLE" --argjson kd "$KILL_D" --argjson kk "$KILL_K" \
  --argjson rd "$RESTART_D" --argjson rc "$RESTART_CTRD" --argjson rk "$RESTART_KUBELET" --arg sup "$SUP" '
  def cell(x): if x == null then "not measured" else "\(x.wholeAfterMs) (per group median \(x.perGroupMs.median), p90 \(x.perGroupMs.p90))" end;
  {
    groups: $n,
    wholeAfterMs: {"docker+supervisor": ($kd.wholeAfterMs // null), kubernetes: ($kk.wholeAfterMs // null)},
    wholeAfterDaemonRestartMs: {"docker+supervisor": ($rd.wholeAfterMs // null)},
    pauseKill: {"docker+supervisor": $kd, kubernetes: $kk},
    daemonRestart: {dockerd: $rd, clusterContainerd: $rc, clusterKubelet: $rk},
    supervisor: {container: $sup, atRestNoGroups: $rest, idleWithGroups: $idle,
                 recoveringPauseKill: ($kd.supervisor // null), recoveringDaemonRestart: ($rd.supervisor // null)},
    table: [
      {event: "every sandbox SIGKILLed at once", docker: cell($kd), kubernetes: cell($kk)},
      {event: "daemon restart (dockerd without live-restore / the cluster'"'"'s containerd)",
       docker: (if $rd == null then "not measured" else "\($rd.wholeAfterMs) from the restart (dockerd answered after \($rd.dockerdAnswersAfterMs); \($rd.wholeAfterAnswerMs) after that)" end),
       kubernetes: (if $rc == null then "not measured" else "nothing to recover (containers live on in their shims): \($rc.podsWithNewContainers) Pods with new containers, \($rc.restartsAdded) restarts; every Pod Ready at the first check \($rc.allReadyAfterMs) after the restart\(if $rc.notReadySeen then ", some Pod seen not Ready in between" else ", none seen not Ready" end)" end)},
      {event: "kubelet restart", docker: "-",
       kubernetes: (if $rk == null then "not measured" else "\($rk.podsWithNewContainers) Pods with new containers, \($rk.restartsAdded) restarts; every Pod Ready at the first check \($rk.allReadyAfterMs) after the restart\(if $rk.notReadySeen then ", some Pod seen not Ready in between" else ", none seen not Ready" end)" end)}
    ],
    notes: [
      "supervisor CPU/RSS: idle with \($n) groups \($idle.cpuPercent // "?") % / \(($idle.rssKiB // 0) / 1024 | floor) MiB; recovering from the mass kill \($kd.supervisor.cpuPercent // "?") % over \($kd.supervisor.wallSeconds // "?") s, peak \(($kd.supervisor.peakRssKiB // 0) / 1024 | floor) MiB; after the dockerd restart \($rd.supervisor.cpuPercent // "?") % (peak \(($rd.supervisor.peakRssKiB // 0) / 1024 | floor) MiB)",
      "Docker times come from the daemon'"'"'s StartedAt of the last member (the start is the kill, or the dockerd restart); Kubernetes times are the first 100 ms poll of the Pod list that shows every container running with a new id (Pod timestamps have 1 s resolution)."
    ]
  }' >"$OUTFILE"
log "mass recovery written to $OUTFILE"
jq -r '.table[] | "\(.event): docker+supervisor \(.docker); kubernetes \(.kubernetes)"' "$OUTFILE"
