#!/usr/bin/env bash
# Scale benchmark: N groups x M members deployed three ways in one run, cell by cell, back to back:
#   pulumi      `pulumi up --skip-preview` of one stack holding all N PodGroups (bench/scale/, the
#               library as a user runs it: TypeScript program, the docker provider), then
#               `pulumi destroy`
#   docker      the floor: the same containers by plain `docker run -d`, as a careful script would:
#               per group the pause first, then its members joining it, all groups in parallel
#               and a group's members in parallel; then one `docker rm -f` of them all
#   kubernetes  the same groups as Pods, one `kubectl apply`, until `kubectl wait` sees every Pod
#               Ready; then `kubectl delete` until they are gone
# Per cell: time to all running/Ready, destroy time, memory (pause processes, containerd shims,
# the daemons; the supervisor's when one runs). Also: the fixed cost of one `pulumi up` with
# nothing to do (engine, language host, program, provider start), with and without ts-node's
# type check; where `pulumi up` spends its time (Docker's event timestamps and Pulumi's output
# lines, timestamped); the 30x2 cell once more with the cuts that need no code change; and mass
# recovery (bench/mass-recovery.sh: every pause killed at once, dockerd restarted, the same on
# the cluster).
# Writes reports/bench/scale.json, scale.md, scale.svg (generated from the JSON) and prints the
# table. Progress lines go to stderr.
#
# Usage: bash bench/scale.sh [--quick] [--groups "1 10 30"] [--members "2 5"]
#          [--targets "docker pulumi kubernetes"] [--recovery-groups 30] [--no-tuned] [--out DIR]
#   --quick              groups "1 3", members "2 3", 3 groups in mass recovery, one fixed-cost run
#   --recovery-groups 0  skips mass recovery (it restarts dockerd and the cluster's containerd:
#                        run it only when nothing else uses the engine and the cluster)
# Environment: PODGROUP_SCALE_GROUPS, PODGROUP_SCALE_MEMBERS, PODGROUP_SCALE_TARGETS,
# PODGROUP_SCALE_RECOVERY_GROUPS as the flags. Needs the engine, the images, the Pulumi toolchain
# and, for the Kubernetes column, `bash scripts/cluster.sh up`.
. "$(dirname "$0")/../scripts/lib/common.sh"
. "$PODGROUP_ROOT/scripts/contract.sh"
. "$PODGROUP_ROOT/bench/naming.sh"
. "$PODGROUP_ROOT/bench/lib/host-memory.sh"
. "$PODGROUP_ROOT/bench/lib/scale-common.sh"
cd "$PODGROUP_ROOT"

GROUP_COUNTS=${PODGROUP_SCALE_GROUPS:-1 10 30}
MEMBER_COUNTS=${PODGROUP_SCALE_MEMBERS:-2 5}
TARGETS=${PODGROUP_SCALE_TARGETS:-docker pulumi kubernetes}
RECOVERY_GROUPS=${PODGROUP_SCALE_RECOVERY_GROUPS:-30}
FIXED_RUNS=3
TUNED=true
OUT=reports/bench
while [ $# -gt 0 ]; do
  case $1 in
    --quick) GROUP_COUNTS="1 3"; MEMBER_COUNTS="2 3"; RECOVERY_GROUPS=3; FIXED_RUNS=1 ;;
    --groups) GROUP_COUNTS=$2; shift ;;
    --members) MEMBER_COUNTS=$2; shift ;;
    --targets) TARGETS=$2; shift ;;
    --recovery-groups) RECOVERY_GROUPS=$2; shift ;;
    --no-tuned) TUNED=false ;;
    --out) OUT=$2; shift ;;
    *) die "unknown argument $1 (usage: bash bench/scale.sh [--quick] [--groups \"1 10 30\"] [--members \"2 5\"] [--targets \"docker pulumi kubernetes\"] [--recovery-groups N] [--no-tuned] [--out DIR])" ;;
  esac
  shift
done
OUT=$(realpath -m "$OUT") # absolute: the pulumi commands run in bench/scale (-C)
WORK=$OUT/scale-work
rm -rf "$WORK"; mkdir -p "$WORK"
CELLS=$WORK/cells.jsonl
: >"$CELLS"
PROJECT=$PODGROUP_ROOT/bench/scale
PAUSE=$(image_ref pause)
TOOLBOX=$(image_ref toolbox)

type -P pulumi >/dev/null || die "no pulumi CLI: bash scripts/setup.sh"
docker info >/dev/null 2>&1 || die "no Docker engine: bash scripts/engine.sh start"
docker image inspect "$PAUSE" "$TOOLBOX" >/dev/null 2>&1 || die "images missing: bash scripts/images.sh"
has_target kubernetes && { kc get --raw /readyz >/dev/null 2>&1 || die "no Kubernetes cluster (bash scripts/cluster.sh up), or leave it out: --targets \"docker pulumi\""; }
compile_bench_ts

machine_json >"$WORK/machine-start.json"
log "scale benchmark: groups {$GROUP_COUNTS} x members {$MEMBER_COUNTS}, targets {$TARGETS}; load $(cut -d' ' -f1-3 /proc/loadavg); work files in $WORK"

trap 'cleanup_all' EXIT
cleanup_all

for m in $MEMBER_COUNTS; do
  for n in $GROUP_COUNTS; do
    for target in $TARGETS; do
      case $target in
        docker) docker_cell "$n" "$m" ;;
        pulumi) pulumi_cell "$n" "$m" plain "" ;;
        kubernetes) kubernetes_cell "$n" "$m" ;;
        *) die "unknown target $target (docker, pulumi, kubernetes)" ;;
      esac
    done
  done
done

if has_target pulumi; then
  fixed_overhead "$FIXED_RUNS"
  if $TUNED; then
    # The cuts that need no change of code, on the largest N: no type check of the program
    # by ts-node at every run, and more resource operations in parallel than Pulumi's default 8.
    biggest=$(tr ' ' '\n' <<<"$GROUP_COUNTS" | sort -n | tail -1)
    for m in $MEMBER_COUNTS; do
      pulumi_cell "$biggest" "$m" tuned "--parallel 64" PULUMI_NODEJS_TRANSPILE_ONLY=true
    done
  fi
fi

if [ "$RECOVERY_GROUPS" -gt 0 ]; then
  PODGROUP_RECOVERY_OUT=$WORK/recovery.json bash bench/mass-recovery.sh "$RECOVERY_GROUPS" \
    || log "mass recovery failed (see above): the report says so"
fi

machine_json >"$WORK/machine-end.json"
node "$KBUILD/bench/scale/report.js" "$WORK" "$OUT"
