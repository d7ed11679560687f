#!/usr/bin/env bash
# The pause image's footprint: image size as Docker reports it, and the pause process's memory
# while it holds a running group (pause + web + sidecar sharing its net/IPC/PID namespaces):
# VmRSS/RssAnon/RssFile from /proc/<pid>/status and the rss of its memory cgroup (cgroup v1
# memory.stat, or cgroup v2 memory.stat anon+file). Usage: bash bench/pause-footprint.sh
. "$(dirname "$0")/../scripts/lib/common.sh"
. "$PODGROUP_ROOT/scripts/contract.sh"
PAUSE=$(image_ref pause)
TOOLBOX=$(image_ref toolbox)
LABEL=$CONTRACT_LABELS_BENCH=pause-footprint

docker info >/dev/null 2>&1 || die "no Docker engine: bash scripts/engine.sh start"
cleanup() { docker ps -aq --filter "label=$LABEL" | xargs -r docker rm -f >/dev/null; }
trap cleanup EXIT
cleanup

p=$(docker run -d --label "$LABEL" --ipc=shareable "$PAUSE")
join=(--label "$LABEL" --net="container:$p" --ipc="container:$p" --pid="container:$p")
docker run -d "${join[@]}" "$TOOLBOX" httpd -f -p 8080 -h /www >/dev/null
docker run -d "${join[@]}" "$TOOLBOX" sleep 3600 >/dev/null
sleep 1

pid=$(docker inspect -f '{{.State.Pid}}' "$p")
kib() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
echo "pause image $PAUSE: $(docker image inspect -f '{{.Size}}' "$PAUSE") bytes (docker image inspect .Size)"
echo "pause process (host pid $pid, uid $(awk '/^Uid:/ {print $2}' "/proc/$pid/status")): VmRSS $(kib VmRSS) KiB (anon $(kib RssAnon) KiB, file $(kib RssFile) KiB), VmSize $(kib VmSize) KiB"
cg=$(awk -F: '$2 == "memory" || $2 == "" { print $3; exit }' "/proc/$pid/cgroup")
if [ -f "/sys/fs/cgroup/memory$cg/memory.stat" ]; then
  d=/sys/fs/cgroup/memory$cg
  echo "pause memory cgroup (v1): rss $(awk '$1 == "rss" {print $2}' "$d/memory.stat") bytes, usage_in_bytes $(cat "$d/memory.usage_in_bytes") (includes kernel memory of the container's set-up)"
elif [ -f "/sys/fs/cgroup$cg/memory.stat" ]; then
  d=/sys/fs/cgroup$cg
  echo "pause memory cgroup (v2): anon $(awk '$1 == "anon" {print $2}' "$d/memory.stat") bytes, file $(awk '$1 == "file" {print $2}' "$d/memory.stat") bytes, memory.current $(cat "$d/memory.current")"
fi
echo "members (ps in the shared PID namespace):"
docker exec "$(docker ps -q --filter "label=$LABEL" | head -1)" ps -o pid,user,rss,args
