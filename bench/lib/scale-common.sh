# The cells of bench/scale.sh and what bench/mass-recovery.sh shares with it. Sourced after
# scripts/lib/common.sh, scripts/contract.sh, bench/naming.sh and bench/lib/host-memory.sh; the
# caller sets WORK (work files), CELLS (one JSON line per cell), TARGETS, PAUSE and TOOLBOX.

. "$PODGROUP_ROOT/bench/lib/stats.sh"

# The user label on every container, Pod and volume of the benchmark (value: the cell's prefix).
BENCH_KEY=podgroup-bench
KBUILD=$PODGROUP_RUN/bench-build

kc() { bash "$PODGROUP_ROOT/scripts/cluster.sh" kubectl "$@"; }
has_target() { [[ " $TARGETS " == *" $1 "* ]]; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# busy_percent: the share of CPU time not idle over the next second, all cores (/proc/stat).
busy_percent() {
  local a b
  a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
  local total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  local idle=$(( (b[4] - a[4]) + (b[5] - a[5]) ))
  echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}

# settle: waits (at most 60 s) until the host is quiet, under 25 % busy over a second, so that a
# cell does not pay for the clean-up of the one before (the cluster's and Docker's garbage
# collection go on after a delete returns) or for anything else running. Logs what it saw.
settle() {
  local t0=$SECONDS busy
  while busy=$(busy_percent); (( busy >= 25 )); do
    if (( SECONDS - t0 >= 60 )); then log "host still ${busy}% busy after 60 s: measuring anyway (numbers may be high)"; return 0; fi
  done
  (( SECONDS - t0 > 1 )) && log "host quiet (${busy}% busy) after $((SECONDS - t0)) s"
  return 0
}

# compile_bench_ts: the benchmark's TypeScript helpers into $KBUILD (node_modules found from there).
compile_bench_ts() {
  npx tsc bench/scale/spec.ts bench/scale/report.ts bench/scale/program-cost.ts bench/mass-recovery.ts --outDir "$KBUILD" --rootDir . \
    --target ES2022 --module commonjs --moduleResolution node --esModuleInterop --skipLibCheck \
    --resolveJsonModule --strict --types node || die "the benchmark's TypeScript does not compile"
}

# machine_json: when, how loaded, on what (for the report's header).
machine_json() {
  local kube=""
  kube=$(kc version -o json 2>/dev/null | jq -r '.serverVersion.gitVersion // empty' || true)
  jq -n --arg date "$(date -u +%FT%TZ)" --arg uptime "$(uptime)" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
    --arg cores "$(nproc)" --arg mem "$(awk '/^MemTotal:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)" \
    --arg kernel "$(uname -r)" --arg docker "$(docker version --format '{{.Server.Version}}' 2>/dev/null)" \
    --arg pulumi "$(pulumi version 2>/dev/null)" --arg kube "$kube" \
    --arg busy "$(ps -eo pcpu=,comm= --sort=-pcpu | head -6 | awk '{printf "%s%s %s%%", (NR > 1 ? ", " : ""), $2, $1}')" \
    '{date: $date, uptime: $uptime, load: ($load | split(" ") | map(tonumber)), cores: ($cores | tonumber),
      memoryGiB: ($mem | tonumber), kernel: $kernel, docker: $docker, pulumi: $pulumi, kubernetes: $kube, busiest: $busy}'
}

# cleanup_all: removes every container, volume, Pod and stack the benchmark may have left.
cleanup_all() {
  docker ps -aq --filter "label=$BENCH_KEY" | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker volume ls -q --filter "label=$BENCH_KEY" | xargs -r docker volume rm >/dev/null 2>&1 || true
  if has_target kubernetes; then kc delete pods -l "$BENCH_KEY" --ignore-not-found --wait=false >/dev/null 2>&1 || true; fi
  local s
  for s in $(pulumi -C "$PODGROUP_ROOT/bench/scale" stack ls --json 2>/dev/null | jq -r '.[].name' 2>/dev/null); do
    pulumi -C "$PODGROUP_ROOT/bench/scale" stack rm --yes --force --stack "$s" --non-interactive >/dev/null 2>&1 || true
  done
}

# member_commands M: "<name>\t<command>" per member (bench/scale/spec.ts: the program's own spec).
member_commands() { node "$KBUILD/bench/scale/spec.js" commands "$1"; }

# running_count PREFIX: running containers of a cell.
running_count() { docker ps -q --filter "label=$BENCH_KEY=$1" --filter status=running | wc -l; }

# memory_json ADDRESS: pause and shim memory of one containerd, daemons, supervisor.
memory_json() {
  local pauses pause_kib shims shim_kib sup sup_kib=0 dockerd ctrd
  read -r pauses pause_kib shims shim_kib < <(runtime_rss "$1")
  read -r dockerd ctrd < <(docker_daemons_rss)
  sup=$(supervisor_pid || true)
  [ -n "$sup" ] && sup_kib=$(rss_kib "$sup")
  jq -n --argjson p "$pauses" --argjson pk "$pause_kib" --argjson s "$shims" --argjson sk "$shim_kib" \
    --argjson d "$dockerd" --argjson c "$ctrd" --argjson sup "$sup_kib" --argjson cluster "$(cluster_daemons_rss_json)" \
    '{pauses: $p, pauseRssKiB: $pk, shims: $s, shimRssKiB: $sk, supervisorRssKiB: $sup,
      dockerDaemonsRssKiB: {dockerd: $d, containerd: $c}, clusterRssKiB: $cluster}'
}

# events_start PREFIX FILE: Docker's container events of a cell, with the daemon's nanosecond time.
events_start() {
  docker events --filter type=container --filter "label=$BENCH_KEY=$1" \
    --format '{{.TimeNano}} {{.Action}} {{.Actor.Attributes.name}}' >"$2" 2>/dev/null &
  EVENTS_PID=$!
  sleep 0.3 # subscribed before the first container is created
}
events_stop() { sleep 0.3; kill "$EVENTS_PID" 2>/dev/null || true; wait "$EVENTS_PID" 2>/dev/null || true; }

# event_profile EVENTS T0_MS: where the time went, from Docker's events (ms after T0):
# {firstCreateMs, lastStartMs, pauseToMemberMs (median over groups: the pause's start to its
# first member's create), memberSpreadMs (median: a group's first member create to its last
# member start)}.
event_profile() {
  local ev=$1 t0=$2 first last gap spread
  read -r first last < <(awk -v t0="$t0" '
    $2 == "create" && f == "" { f = $1 / 1e6 - t0 }
    $2 == "start" { l = $1 / 1e6 - t0 }
    END { printf "%d %d\n", f, l }' "$ev")
  # Per group (name = <group>_<container>, the pause is <group>_POD).
  per_group() {
    awk -v sep="$NAMING_SEPARATOR" -v pod="$NAMING_PAUSE_SUFFIX" '
      { n = $3; i = length(n); while (i > 0 && substr(n, i, 1) != sep) i--; g = substr(n, 1, i - 1); c = substr(n, i + 1); t = $1 / 1e6 }
      $2 == "start" && c == pod { ps[g] = t }
      $2 == "create" && c != pod && !(g in mc) { mc[g] = t }
      $2 == "start" && c != pod { ml[g] = t }
      END { for (g in ps) if (g in mc) printf "%d %d\n", mc[g] - ps[g], ml[g] - mc[g] }' "$ev"
  }
  gap=$(per_group | awk '{print $1}' | median_p90 | awk '{print $1}')
  spread=$(per_group | awk '{print $2}' | median_p90 | awk '{print $1}')
  jq -n --argjson f "${first:-0}" --argjson l "${last:-0}" --arg g "$gap" --arg s "$spread" \
    '{firstCreateMs: $f, lastStartMs: $l, pauseToMemberMs: ($g | tonumber? // null), memberSpreadMs: ($s | tonumber? // null)}'
}

# add_cell JSON: one line of cells.jsonl.
add_cell() { jq -c . <<<"$1" >>"$CELLS"; }

# ---- docker: the floor -------------------------------------------------------------------------

# docker_group PREFIX GROUP M: pause, then the M members joining it, in parallel.
docker_group() {
  local prefix=$1 g=$2 m=$3 p name cmd
  local labels=(--label "$BENCH_KEY=$prefix" --label "$CONTRACT_LABELS_GROUP=$g")
  p=$(docker run -d "${labels[@]}" --name "$(docker_pause_name "$g")" --hostname "$g" --ipc shareable \
    --restart always --stop-timeout 30 "$PAUSE") || return 1
  local join=(--net "container:$p" --ipc "container:$p" --pid "container:$p")
  while IFS=$'\t' read -r name cmd; do
    # shellcheck disable=SC2086 # the command's words
    docker run -d "${labels[@]}" "${join[@]}" --name "$(docker_name "$g" "$name")" --restart always --stop-timeout 30 \
      "$TOOLBOX" $cmd >/dev/null &
  done < <(member_commands "$m")
  wait
}

docker_cell() {
  settle
  local n=$1 m=$2 prefix=sd-$1x$2 t0 t1 t2 t3 g ev=$WORK/events-docker-$1x$2.log mem
  log "docker run: $n groups x $m members"
  member_commands "$m" >/dev/null # compiled and cached before the clock starts
  events_start "$prefix" "$ev"
  t0=$(now_ms)
  local pids=() pid failed=0
  for ((g = 0; g < n; g++)); do docker_group "$prefix" "$prefix-$g" "$m" & pids+=($!); done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  t1=$(now_ms)
  events_stop
  [ "$failed" -eq 0 ] && [ "$(running_count "$prefix")" -eq $((n * (m + 1))) ] || die "docker run: $(running_count "$prefix") of $((n * (m + 1))) containers running"
  sleep 1
  mem=$(memory_json "$DOCKER_CONTAINERD_ADDRESS")
  t2=$(now_ms)
  docker ps -aq --filter "label=$BENCH_KEY=$prefix" | xargs -r docker rm -f >/dev/null
  t3=$(now_ms)
  log "docker run: $n x $m running after $((t1 - t0)) ms, removed in $((t3 - t2)) ms"
  add_cell "$(jq -n --argjson n "$n" --argjson m "$m" --argjson up $((t1 - t0)) --argjson down $((t3 - t2)) \
    --argjson mem "$mem" --argjson prof "$(event_profile "$ev" "$t0")" \
    '{target: "docker", variant: "plain", groups: $n, members: $m, containers: ($n * ($m + 1)), readyMs: $up, destroyMs: $down, memory: $mem, profile: $prof}')"
}

# ---- pulumi ------------------------------------------------------------------------------------

pl() { pulumi -C "$PODGROUP_ROOT/bench/scale" --non-interactive "$@"; }

# stamp: prefixes each line with the wall clock in ms.
stamp() { perl -MTime::HiRes=time -ne 'BEGIN { $| = 1 } printf "%d %s", time() * 1000, $_'; }

# pulumi_stack PREFIX N M: a fresh stack of the bench program; sets STACK and CFG.
pulumi_stack() {
  STACK=scale-$1
  CFG=$WORK/Pulumi.$STACK.yaml
  printf 'config:\n  scale:groups: "%s"\n  scale:members: "%s"\n  scale:prefix: %s\n' "$2" "$3" "$1" >"$CFG"
  pl stack rm --yes --force --stack "$STACK" >/dev/null 2>&1 || true
  pl stack init "$STACK" >/dev/null
}

# pulumi_cell N M VARIANT "UP FLAGS" [ENV=VALUE...]
pulumi_cell() {
  settle
  local n=$1 m=$2 variant=$3 flags=$4; shift 4
  local prefix=sp-${n}x$m-${variant:0:1} t0 t1 t2 t3 log ev mem first_reg
  log "pulumi up ($variant${flags:+, $flags}${*:+, $*}): $n groups x $m members"
  pulumi_stack "$prefix" "$n" "$m"
  log=$WORK/pulumi-up-$variant-$n"x"$m.log
  ev=$WORK/events-pulumi-$variant-$n"x"$m.log
  # What `pulumi up` without --skip-preview adds: a preview of the same program first.
  local preview_ms
  t0=$(now_ms)
  # shellcheck disable=SC2086
  env "${PULUMI_SIGNALS[@]}" "$@" pulumi -C "$PODGROUP_ROOT/bench/scale" --non-interactive preview --stack "$STACK" --config-file "$CFG" $flags \
    >"$WORK/pulumi-preview-$variant-$n"x"$m.log" 2>&1 || die "pulumi preview failed"
  preview_ms=$(( $(now_ms) - t0 ))
  events_start "$prefix" "$ev"
  t0=$(now_ms)
  # shellcheck disable=SC2086 # the flags' words
  if ! env "${PULUMI_SIGNALS[@]}" "$@" pulumi -C "$PODGROUP_ROOT/bench/scale" --non-interactive up --yes --skip-preview --stack "$STACK" \
      --config-file "$CFG" $flags 2>&1 | stamp >"$log"; then
    events_stop; tail -20 "$log" >&2; die "pulumi up failed (log $log)"
  fi
  t1=$(now_ms)
  events_stop
  [ "$(running_count "$prefix")" -eq $((n * (m + 1))) ] || die "pulumi up: $(running_count "$prefix") of $((n * (m + 1))) containers running"
  sleep 1
  mem=$(memory_json "$DOCKER_CONTAINERD_ADDRESS")
  first_reg=$(awk -v t0="$t0" '/creating/ { print $1 - t0; exit }' "$log")
  t2=$(now_ms)
  # shellcheck disable=SC2086
  env "${PULUMI_SIGNALS[@]}" "$@" pulumi -C "$PODGROUP_ROOT/bench/scale" --non-interactive destroy --yes --skip-preview --stack "$STACK" \
    --config-file "$CFG" $flags >"$WORK/pulumi-destroy-$variant-$n"x"$m.log" 2>&1 || die "pulumi destroy failed"
  t3=$(now_ms)
  pl stack rm --yes --stack "$STACK" >/dev/null
  [ "$(docker ps -aq --filter "label=$BENCH_KEY=$prefix" | wc -l)" -eq 0 ] || die "pulumi destroy left containers of $prefix"
  log "pulumi up ($variant): $n x $m running after $((t1 - t0)) ms, destroyed in $((t3 - t2)) ms"
  add_cell "$(jq -n --argjson n "$n" --argjson m "$m" --argjson up $((t1 - t0)) --argjson down $((t3 - t2)) \
    --arg variant "$variant" --arg flags "$flags" --arg env "$*" --argjson mem "$mem" \
    --argjson prof "$(event_profile "$ev" "$t0")" --argjson reg "${first_reg:-null}" --argjson preview "$preview_ms" \
    '{target: "pulumi", variant: $variant, flags: $flags, env: $env, groups: $n, members: $m, containers: ($n * ($m + 1)),
      readyMs: $up, destroyMs: $down, previewMs: $preview, memory: $mem, profile: ($prof + {firstRegistrationMs: $reg})}')"
}

# fixed_overhead RUNS: `pulumi up` with nothing to do (a 1x2 stack already up), RUNS times with
# ts-node's type check (the default) and RUNS times without; `pulumi version` (the CLI alone).
fixed_overhead() {
  local runs=$1 prefix=sp-fixed i t0 t1 checked=() transpiled=() cli=()
  log "fixed cost of one pulumi up with nothing to do ($runs runs each way)"
  settle
  pulumi_stack "$prefix" 1 2
  pl up --yes --skip-preview --stack "$STACK" --config-file "$CFG" >"$WORK/pulumi-fixed-setup.log" 2>&1 || die "pulumi up (fixed cost set-up) failed"
  for ((i = 0; i < runs; i++)); do
    t0=$(now_ms); pulumi version >/dev/null; t1=$(now_ms); cli+=($((t1 - t0)))
    t0=$(now_ms)
    pl up --yes --skip-preview --stack "$STACK" --config-file "$CFG" 2>&1 | stamp >"$WORK/pulumi-noop-checked-$i.log"
    t1=$(now_ms); checked+=($((t1 - t0)))
    t0=$(now_ms)
    PULUMI_NODEJS_TRANSPILE_ONLY=true pl up --yes --skip-preview --stack "$STACK" --config-file "$CFG" 2>&1 | stamp >"$WORK/pulumi-noop-transpiled-$i.log"
    t1=$(now_ms); transpiled+=($((t1 - t0)))
  done
  grep -q "unchanged" "$WORK/pulumi-noop-checked-0.log" || log "note: the no-op up reported changes (see $WORK/pulumi-noop-checked-0.log)"
  pl destroy --yes --skip-preview --stack "$STACK" --config-file "$CFG" >/dev/null 2>&1 || die "pulumi destroy (fixed cost) failed"
  pl stack rm --yes --stack "$STACK" >/dev/null
  log "no-op pulumi up: type-checked ${checked[*]} ms, transpile-only ${transpiled[*]} ms; pulumi version ${cli[*]} ms"
  jq -n --arg c "${checked[*]}" --arg t "${transpiled[*]}" --arg v "${cli[*]}" \
    '{noopUpMs: ($c | split(" ") | map(tonumber)), noopUpTranspileOnlyMs: ($t | split(" ") | map(tonumber)),
      cliVersionMs: ($v | split(" ") | map(tonumber))}' >"$WORK/fixed.json"
}

# ---- kubernetes --------------------------------------------------------------------------------

# pods_yaml PREFIX N M: the groups as Pods (bench/scale/spec.ts's shape).
pods_yaml() {
  local prefix=$1 n=$2 m=$3 g name cmd w words
  for ((g = 0; g < n; g++)); do
    printf -- '---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: %s-%d\n  labels: {%s: %s}\n' "$prefix" "$g" "$BENCH_KEY" "$prefix"
    printf 'spec:\n  restartPolicy: Always\n  shareProcessNamespace: true\n  containers:\n'
    while IFS=$'\t' read -r name cmd; do
      words=""
      for w in $cmd; do words="$words${words:+, }\"$w\""; done
      printf '  - {name: %s, image: "%s", imagePullPolicy: IfNotPresent, command: [%s]}\n' "$name" "$TOOLBOX" "$words"
    done < <(member_commands "$m")
  done
}

kubernetes_cell() {
  settle
  local n=$1 m=$2 prefix=sk-$1x$2 t0 t1 t2 t3 yaml=$WORK/pods-$1x$2.yaml mem
  log "kubectl apply: $n Pods x $m containers"
  pods_yaml "$prefix" "$n" "$m" >"$yaml"
  t0=$(now_ms)
  kc apply -f "$yaml" >/dev/null || die "kubectl apply failed"
  kc wait --for=condition=Ready pod -l "$BENCH_KEY=$prefix" --timeout=600s >/dev/null \
    || die "Pods not Ready: $(kc get pods -l "$BENCH_KEY=$prefix" --no-headers | grep -v Running | head -3)"
  t1=$(now_ms)
  sleep 1
  mem=$(memory_json "$CLUSTER_CONTAINERD_ADDRESS")
  t2=$(now_ms)
  kc delete pods -l "$BENCH_KEY=$prefix" --wait=true >/dev/null || die "kubectl delete failed"
  t3=$(now_ms)
  log "kubernetes: $n x $m Ready after $((t1 - t0)) ms, deleted in $((t3 - t2)) ms"
  add_cell "$(jq -n --argjson n "$n" --argjson m "$m" --argjson up $((t1 - t0)) --argjson down $((t3 - t2)) --argjson mem "$mem" \
    '{target: "kubernetes", variant: "plain", groups: $n, members: $m, containers: ($n * ($m + 1)), readyMs: $up, destroyMs: $down, memory: $mem}')"
}
