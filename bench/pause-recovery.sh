#!/usr/bin/env bash
# Pause death -> whole group running again, on Docker + the supervisor and on Kubernetes, in the
# same run (docs/supervisor.md).
# A benchmark, not a test: prints numbers. Per run, a fresh supervised group (a PodGroup spec with
# N init containers and 2 members sharing net/IPC/PID, laid out by the Docker renderer and created
# by bench/make-group.ts, as the supervisor's integration tests create theirs) is created,
# its pause is SIGKILLed, and the time is taken from Docker's own timestamps:
#   recovery = last member's StartedAt in the new sandbox - the old pause's FinishedAt
# (daemon clock, nanoseconds; independent of how fast this script polls). Also prints the same
# without the supervisor (Docker's restart policy "always" only: the group never comes back
# whole), the supervisor image's size and its start-up time (docker start -> "ready").
# Kubernetes: the same shapes as Pods on the local cluster (shareProcessNamespace, restartPolicy
# Always, imagePullPolicy IfNotPresent, the project's pause as sandbox image), a fresh Pod per run;
# bench/pause-recovery-kubernetes.ts kills the sandbox as the conformance harness does
# (KubernetesAdapter: SIGKILL through the cluster's containerd) and polls the Pod until every
# container runs again with a new id (pod timestamps have 1 s resolution: polled every 50 ms).
# Ends with a table: median and p90 per group shape and runtime.
# Usage: bash bench/pause-recovery.sh [RUNS]   (default 10; needs the engine, the images and,
#   for the Kubernetes column, `bash scripts/cluster.sh up`; PODGROUP_BENCH_SHAPES="0 1 2" = the
#   numbers of init containers measured)
. "$(dirname "$0")/../scripts/lib/common.sh"
. "$PODGROUP_ROOT/scripts/contract.sh"
. "$PODGROUP_ROOT/bench/lib/stats.sh"
cd "$PODGROUP_ROOT"
RUNS=${1:-10}
PAUSE=$(image_ref pause)
TOOLBOX=$(image_ref toolbox)
SUPERVISOR=$(image_ref supervisor)
# A user label on every Docker object (bench/make-group.ts reads it) and Pod of the benchmark.
export PODGROUP_BENCH_LABEL=podgroup-bench=pause-recovery
BENCH=$PODGROUP_BENCH_LABEL
SUP_NAME=podgroup-supervisor-bench
SUP_STATE=$PODGROUP_RUN/bench-supervisor
SHAPES=${PODGROUP_BENCH_SHAPES:-0 1 2}
KBUILD=$PODGROUP_RUN/bench-build
kc() { bash scripts/cluster.sh kubectl "$@"; }
make_group_js() { node "$KBUILD/bench/make-group.js" "$@"; }

docker info >/dev/null 2>&1 || die "no Docker engine: bash scripts/engine.sh start"
docker image inspect "$PAUSE" "$TOOLBOX" >/dev/null 2>&1 || die "images missing: bash scripts/images.sh"
bash images/supervisor/build.sh >/dev/null 2>&1 || die "supervisor image build failed: bash images/supervisor/build.sh"

# The Kubernetes column needs the local cluster; without one it says so (CI=true: a failure).
K8S=true
if ! kc get --raw /readyz >/dev/null 2>&1; then
  [ "${CI:-}" != true ] || die "no Kubernetes cluster: bash scripts/cluster.sh up"
  K8S=false
  log "no Kubernetes cluster (bash scripts/cluster.sh up): the Kubernetes column is not measured"
fi
# Compiled into .state (node_modules is found from there); the repo's tsconfig checks them too.
npx tsc bench/make-group.ts bench/pause-recovery-kubernetes.ts --outDir "$KBUILD" --rootDir . --target ES2022 --module commonjs \
  --moduleResolution node --esModuleInterop --skipLibCheck --resolveJsonModule --strict --types node \
  || die "bench/make-group.ts or bench/pause-recovery-kubernetes.ts does not compile"

cleanup() {
  if $K8S; then kc delete pods -l "$BENCH" --ignore-not-found --grace-period=0 --force >/dev/null 2>&1 || true; fi
  docker ps -aq --filter "label=$BENCH" | xargs -r docker rm -f >/dev/null
  docker volume ls -q --filter "label=$BENCH" | xargs -r docker volume rm >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

ns_of() { date -d "$1" +%s%N; }                     # RFC 3339 (nanoseconds) -> ns since epoch
ms_between() { echo $(( ($(ns_of "$2") - $(ns_of "$1")) / 1000000 )); }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# make_group NAME INITS SUPERVISED: the group as PodGroup renders it on Docker (bench/make-group.ts);
# sets PAUSE_ID, WEB_ID, SIDECAR_ID (found by the contract's labels, not by name).
make_group() {
  make_group_js group "$1" "$2" "$3" || die "creating group $1 failed"
  PAUSE_ID=$(member_id "$1" pause) WEB_ID=$(member_id "$1" web) SIDECAR_ID=$(member_id "$1" sidecar)
}
member_id() { docker ps -aq --filter "label=$CONTRACT_LABELS_GROUP=$1" --filter "label=$CONTRACT_LABELS_CONTAINER=$2"; }

started() { docker inspect -f '{{.State.StartedAt}}' "$@"; }

# crash NAME: SIGKILL the container's process from the host, as a crash would. (`docker kill`
# counts as a manual stop: Docker would not apply its restart policy.)
crash() { kill -KILL "$(docker inspect -f '{{.State.Pid}}' "$1")"; }

# recover_once NAME: kill the pause (PAUSE_ID), wait until whole, print the recovery in ms.
recover_once() {
  local g=$1 died before t0 pstart ok last m s
  sleep 0.3 # let the supervisor see the new group (it would anyway, from the start events)
  before=$(docker inspect -f '{{.State.FinishedAt}}' "$PAUSE_ID")
  t0=$(now_ms)
  crash "$PAUSE_ID"
  # FinishedAt keeps the time of the last exit, also once the pause runs again.
  while died=$(docker inspect -f '{{.State.FinishedAt}}' "$PAUSE_ID") && [ "$died" = "$before" ]; do
    (( $(now_ms) - t0 < 10000 )) || die "the pause of $g did not die"
    sleep 0.01
  done
  while :; do
    (( $(now_ms) - t0 < 60000 )) || die "$g did not come back within 60 s: $(docker ps -a --filter "label=$CONTRACT_LABELS_GROUP=$g" --format '{{.Names}} {{.Status}}' | tr '\n' ';')"
    ok=true
    pstart=$(started "$PAUSE_ID")
    if [ "$(docker inspect -f '{{.State.Running}}' "$PAUSE_ID")" != true ] || (( $(ns_of "$pstart") <= $(ns_of "$died") )); then ok=false; fi
    last=$pstart
    if $ok; then
      for m in "$WEB_ID" "$SIDECAR_ID"; do
        s=$(started "$m")
        if [ "$(docker inspect -f '{{.State.Running}}' "$m")" != true ] || (( $(ns_of "$s") < $(ns_of "$pstart") )); then ok=false; break; fi
        (( $(ns_of "$s") > $(ns_of "$last") )) && last=$s
      done
    fi
    $ok && break
    sleep 0.02
  done
  echo "$(ms_between "$died" "$last") $(ms_between "$died" "$pstart")"
}

log "supervisor image $SUPERVISOR: $(docker image inspect "$SUPERVISOR" --format '{{.Size}}') bytes"

# A supervisor for this benchmark, unless one already runs on this engine (then that one is used).
existing=$(docker ps -q --filter "label=$CONTRACT_LABELS_SUPERVISOR=true" | head -1)
if [ -n "$existing" ] && [ "$(docker inspect -f '{{.Name}}' "$existing")" != "/$SUP_NAME" ]; then
  log "using the supervisor already running: $(docker inspect -f '{{.Name}}' "$existing")"
else
  docker rm -f "$SUP_NAME" >/dev/null 2>&1 || true
  mkdir -p "$SUP_STATE"
  # The DockerSupervisor component's container (components/supervisor.ts), with its own state directory.
  make_group_js supervisor "$SUP_NAME" "$SUP_STATE" || die "creating the supervisor failed"
  t0=$(now_ms)
  docker start "$SUP_NAME" >/dev/null
  until docker logs "$SUP_NAME" 2>&1 | grep -q "msg=$CONTRACT_SUPERVISOR_READY_MESSAGE"; do
    (( $(now_ms) - t0 < 30000 )) || die "supervisor not ready: $(docker logs "$SUP_NAME" 2>&1 | tail -5)"
    sleep 0.01
  done
  t1=$(now_ms)
  own=$(docker logs "$SUP_NAME" 2>&1 | sed -n "s/.*msg=$CONTRACT_SUPERVISOR_READY_MESSAGE startup=\([^ ]*\).*/\1/p" | head -1)
  log "supervisor start-up: docker start -> ready log line $((t1 - t0)) ms (process start -> ready: $own)"
  mem=$(docker stats --no-stream --format '{{.MemUsage}}' "$SUP_NAME" 2>/dev/null || echo n/a)
  log "supervisor memory after start-up: $mem"
fi

# make_pod NAME INITS: the same group as a Pod on the cluster; waits until it is Ready.
make_pod() {
  local g=$1 inits=$2 i
  {
    printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\n  labels: {%s: %s}\n' "$g" "${BENCH%%=*}" "${BENCH#*=}"
    printf 'spec:\n  restartPolicy: Always\n  shareProcessNamespace: true\n  terminationGracePeriodSeconds: 1\n'
    if ((inits > 0)); then
      printf '  initContainers:\n'
      for ((i = 0; i < inits; i++)); do
        printf '  - {name: init%d, image: "%s", imagePullPolicy: IfNotPresent, command: ["true"]}\n' "$i" "$TOOLBOX"
      done
    fi
    printf '  containers:\n'
    printf '  - {name: web, image: "%s", imagePullPolicy: IfNotPresent, command: [httpd, "-f", "-p", "8080", "-h", /www]}\n' "$TOOLBOX"
    printf '  - {name: sidecar, image: "%s", imagePullPolicy: IfNotPresent, command: [sleep, "100000"]}\n' "$TOOLBOX"
  } | kc apply -f - >/dev/null
  kc wait "pod/$g" --for=condition=Ready --timeout=120s >/dev/null \
    || die "pod $g not Ready: $(kc get pod "$g" -o wide 2>&1 | tail -1)"
}

declare -A DOCKER_MS K8S_MS
for inits in $SHAPES; do
  results=()
  for ((r = 1; r <= RUNS; r++)); do
    g=bench-sup-$inits-$r-$$
    make_group "$g" "$inits" true
    read -r whole pause_back < <(recover_once "$g")
    results+=("$whole")
    log "run $r ($inits init containers): pause back after $pause_back ms, whole group after $whole ms"
    [ "$r" -lt "$RUNS" ] || docker logs "$SUP_NAME" 2>&1 | grep "group=$g" | grep -v idle | sed 's/^/    supervisor: /' >&2 || true
    make_group_js remove "$g"
  done
  DOCKER_MS[$inits]=${results[*]}
  echo "Docker + supervisor, $inits init container(s): pause death -> whole group running: $(printf '%s\n' "${results[@]}" | stats_summary)"
  $K8S || continue
  results=()
  for ((r = 1; r <= RUNS; r++)); do
    g=bench-k8s-$inits-$r-$$
    make_pod "$g" "$inits"
    sleep 0.3 # as on Docker: let kubelet's status settle after Ready
    read -r whole first kill_ms < <(node "$KBUILD/bench/pause-recovery-kubernetes.js" "$g" default) \
      || die "Kubernetes run $r ($inits init containers) failed"
    [ -n "$whole" ] || die "Kubernetes run $r ($inits init containers) printed nothing"
    results+=("$whole")
    log "kubernetes run $r ($inits init containers): first container running after $first ms, whole pod after $whole ms (kill call $kill_ms ms)"
    kc delete pod "$g" --grace-period=0 --force >/dev/null 2>&1 || true
  done
  K8S_MS[$inits]=${results[*]}
  echo "Kubernetes, $inits init container(s): sandbox death -> whole pod running: $(printf '%s\n' "${results[@]}" | stats_summary)"
done

# Docker alone: restart policy "always" everywhere, no supervisor. Docker restarts the pause;
# the members stay Exited ("container ... is restarting, wait until the container is running").
g=bench-alone-$$
make_group "$g" 0 false
sleep 0.3
crash "$PAUSE_ID"
sleep 5
states=$(for c in pause web sidecar; do printf '%s=%s ' "$c" "$(docker inspect -f '{{.State.Status}}' "$(member_id "$g" "$c")")"; done)
whole=no
case $states in *exited*|*restarting*|*created*) ;; *) whole="all running (Docker's restart race went the right way this time)" ;; esac
echo "Docker alone (restart: always), 5 s after the pause crashed: $states-> whole group: $whole"

# The table (docs/supervisor.md, Numbers).
shape() { case $1 in 0) echo "pause + 2 members" ;; 1) echo "pause + 1 init + 2 members" ;; *) echo "pause + $1 inits + 2 members" ;; esac; }
cell() { if [ -z "$1" ]; then echo "not measured"; else read -r m p < <(tr ' ' '\n' <<<"$1" | median_p90); echo "$m / $p ms"; fi; }
echo
echo "Pause (sandbox) death -> whole group running again, median / p90 over $RUNS runs, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| %-30s | %-22s | %-22s |\n' "Group" "Docker + supervisor" "Kubernetes"
printf '|%s|%s|%s|\n' "--------------------------------" "------------------------" "------------------------"
for inits in $SHAPES; do
  printf '| %-30s | %-22s | %-22s |\n' "$(shape "$inits")" "$(cell "${DOCKER_MS[$inits]:-}")" "$(cell "${K8S_MS[$inits]:-}")"
done
printf '| %-30s | %-22s | %-22s |\n' "Docker alone (restart: always)" "$([ "$whole" = no ] && echo "never whole" || echo "whole once (race)")" "-"
