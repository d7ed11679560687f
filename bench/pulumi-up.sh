#!/usr/bin/env bash
# `pulumi up` of the sample group on Docker, timed, to set against bench/docker-baseline.sh
# (the same three containers with plain `docker run`). A scratch stack `bench-docker` with the
# group named `bench` (so it never collides with the demo's `sample`), config in .state.
# Prints per run and as median/min/max (seconds, 0.1 s):
#   up       `pulumi up --yes --skip-preview` from the empty stack (engine start-up, program,
#            provider, container creation and whatever the library waits for)
#   ready    from the start of `up` until the sidecar got an HTTP answer from the web member
#   destroy  `pulumi destroy --yes --skip-preview`
# Usage: bash bench/pulumi-up.sh [RUNS]   (default 3; needs scripts/setup.sh done)
. "$(dirname "$0")/../scripts/lib/common.sh"
. "$PODGROUP_ROOT/bench/lib/stats.sh"
cd "$PODGROUP_ROOT"
RUNS=${1:-3}
STACK=bench-docker
CFG=$PODGROUP_RUN/bench/Pulumi.$STACK.yaml

type -P pulumi >/dev/null || die "no pulumi CLI: bash scripts/setup.sh"
docker info >/dev/null 2>&1 || die "no Docker engine: bash scripts/engine.sh start"
case $PULUMI_BACKEND_URL in file://*) mkdir -p "${PULUMI_BACKEND_URL#file://}" ;; esac
mkdir -p "$(dirname "$CFG")"
printf 'config:\n  podgroup:backend: docker\n  podgroup:name: bench\n' >"$CFG"

cleanup() {
  pulumi destroy --yes --skip-preview --stack "$STACK" --config-file "$CFG" --non-interactive >/dev/null 2>&1 || true
  # rm without --preserve-config also deletes stacks/Pulumi.bench-docker.yaml, which stack init
  # created (it holds only the encryptionsalt).
  pulumi stack rm --yes --stack "$STACK" --non-interactive >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
pulumi stack init "$STACK" --non-interactive >/dev/null

ms() { echo $(( $(date +%s%N) / 1000000 )); }
sec() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1000 }'; }

results=()
for i in $(seq 1 "$RUNS"); do
  t0=$(ms)
  pulumi up --yes --skip-preview --stack "$STACK" --config-file "$CFG" --non-interactive \
    >"$PODGROUP_RUN/bench/pulumi-up-$i.log" 2>&1 || { tail -20 "$PODGROUP_RUN/bench/pulumi-up-$i.log" >&2; die "pulumi up failed"; }
  t1=$(ms)
  out=$(pulumi stack output --json --stack "$STACK")
  sidecar=$(node -p 'const o = JSON.parse(process.argv[1]); Object.entries(o.memberIds).find(([n]) => n !== o.ports[0].container)[1]' "$out")
  port=$(node -p 'JSON.parse(process.argv[1]).ports[0].containerPort' "$out")
  until docker exec "$sidecar" timeout 2 wget -qO- "http://127.0.0.1:$port/" >/dev/null 2>&1; do
    (( $(ms) - t0 < 120000 )) || die "web member never answered"
    sleep 0.05
  done
  t2=$(ms)
  pulumi destroy --yes --skip-preview --stack "$STACK" --config-file "$CFG" --non-interactive \
    >"$PODGROUP_RUN/bench/pulumi-destroy-$i.log" 2>&1 || die "pulumi destroy failed (log $PODGROUP_RUN/bench/pulumi-destroy-$i.log)"
  t3=$(ms)
  results+=("$((t1 - t0)) $((t2 - t0)) $((t3 - t2))")
  printf 'run %d: up %s s, ready %s s, destroy %s s\n' "$i" "$(sec $((t1 - t0)))" "$(sec $((t2 - t0)))" "$(sec $((t3 - t2)))"
done

summary() { printf '%-8s %s\n' "$2" "$(printf '%s\n' "${results[@]}" | awk -v c="$1" '{print $c}' | stats_summary 1000 s 1)"; }
echo "pulumi up of the sample group (pause + web + sidecar) on $(docker version --format 'Docker {{.Server.Version}}'), $(pulumi version)"
summary 1 up
summary 2 ready
summary 3 destroy
