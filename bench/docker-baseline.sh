#!/usr/bin/env bash
# Baseline for `pulumi up`: the same group (pause + web + sidecar sharing net/IPC/PID) started
# with plain `docker run`, timed. Prints, per run and as median/min/max (milliseconds):
#   start   first `docker run` of the pause until the third `docker run -d` returned
#   ready   until the sidecar got an HTTP answer from the web member over localhost
#   remove  `docker rm -f` of the three containers
# Usage: bash bench/docker-baseline.sh [RUNS]   (default 5; needs the engine and the images)
. "$(dirname "$0")/../scripts/lib/common.sh"
. "$(dirname "$0")/naming.sh"
. "$PODGROUP_ROOT/scripts/contract.sh"
. "$PODGROUP_ROOT/bench/lib/stats.sh"
RUNS=${1:-5}
PAUSE=$(image_ref pause)
TOOLBOX=$(image_ref toolbox)
PORT=8080
LABEL=$CONTRACT_LABELS_BENCH=docker-baseline

docker info >/dev/null 2>&1 || die "no Docker engine: bash scripts/engine.sh start"
docker image inspect "$PAUSE" "$TOOLBOX" >/dev/null || die "images missing: bash scripts/images.sh"
cleanup() { docker ps -aq --filter "label=$LABEL" | xargs -r docker rm -f >/dev/null; }
trap cleanup EXIT
cleanup

ms() { echo $(( $(date +%s%N) / 1000000 )); }

one_run() {
  local i=$1 t0 t1 t2 t3 t4 p
  t0=$(ms)
  p=$(docker run -d --label "$LABEL" --name "$(docker_pause_name "bench-$i")" --ipc=shareable "$PAUSE")
  local join=(--label "$LABEL" --net="container:$p" --ipc="container:$p" --pid="container:$p")
  docker run -d "${join[@]}" --name "$(docker_name "bench-$i" web)" "$TOOLBOX" httpd -f -p "$PORT" -h /www >/dev/null
  docker run -d "${join[@]}" --name "$(docker_name "bench-$i" sidecar)" "$TOOLBOX" sleep 3600 >/dev/null
  t1=$(ms)
  until docker exec "$(docker_name "bench-$i" sidecar)" wget -qO- "http://127.0.0.1:$PORT/" >/dev/null 2>&1; do
    (( $(ms) - t0 < 30000 )) || die "web member never answered"
    sleep 0.05
  done
  t2=$(ms)
  docker rm -f "$(docker_name "bench-$i" sidecar)" "$(docker_name "bench-$i" web)" "$(docker_pause_name "bench-$i")" >/dev/null
  t3=$(ms)
  echo "$((t1 - t0)) $((t2 - t0)) $((t3 - t2))"
}

results=()
for i in $(seq 1 "$RUNS"); do
  r=$(one_run "$i")
  results+=("$r")
  read -r s rd rm <<<"$r"
  printf 'run %d: start %d ms, ready %d ms, remove %d ms\n' "$i" "$s" "$rd" "$rm"
done

# summary COLUMN NAME: median, min and max of one column over the runs.
summary() { printf '%-7s %s\n' "$2" "$(printf '%s\n' "${results[@]}" | awk -v c="$1" '{print $c}' | stats_summary)"; }
echo "docker run baseline: pause + 2 members (container: net/ipc/pid), $(docker version --format 'engine {{.Server.Version}}')"
summary 1 start
summary 2 ready
summary 3 remove
