#!/usr/bin/env bash
# The main demo: sets everything up, deploys the sample group on Docker with `pulumi up`
# (stack `docker`, config in stacks/Pulumi.docker.yaml), then shows from the live containers
# that they form a pod: /pause is PID 1 of the members' shared PID namespace, the sidecar
# reaches the web member over localhost, and every member joined the pause's namespaces.
#   bash scripts/demo.sh          set up, deploy, show the proof
#   bash scripts/demo.sh down     pulumi destroy + stack rm (the engine keeps running)
. "$(dirname "$0")/lib/common.sh"
cd "$PODGROUP_ROOT"
STACK=${PODGROUP_DEMO_STACK:-docker}

pulumi_ready() {
  type -P pulumi >/dev/null \
    || die "no pulumi CLI on PATH (scripts/lib/common.sh puts the one cached under $PODGROUP_CACHE/pulumi there): run 'bash scripts/setup.sh' and read its toolchain step"
}

# outputs_field EXPR: evaluates EXPR (JavaScript, `o` = the stack outputs) and prints the result
# as lines: one line per array item, else the value itself.
outputs_field() {
  node -e '
    const o = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const v = eval(process.argv[1]);
    if (v === undefined || v === null) process.exit(3);
    console.log(Array.isArray(v) ? v.join("\n") : String(v));
  ' "$1" <<<"$OUTPUTS"
}

up() {
  step "set-up" bash scripts/setup.sh
  pulumi_ready
  local cfg=stacks/Pulumi.$STACK.yaml salted
  salted=$(grep -c '^encryptionsalt:' "$cfg" || true)
  pulumi stack select --create "$STACK" --non-interactive
  # Creating a stack with the passphrase secrets provider writes an encryptionsalt line into the
  # committed stack file; with the fixed local passphrase that line can be committed once.
  if [ "$salted" = 0 ] && grep -q '^encryptionsalt:' "$cfg"; then
    log "NOTE: 'pulumi stack init' added an encryptionsalt line to $cfg (commit it once: it is tied to the fixed local passphrase, and every later stack init reuses it)"
  fi
  local t0=$SECONDS
  pulumi up --yes --stack "$STACK" --non-interactive \
    || die "pulumi up failed (output above). Fix, then re-run; or tear down with 'bash scripts/demo.sh down'"
  log "pulumi up took $((SECONDS - t0))s"
  proof
}

proof() {
  pulumi_ready
  OUTPUTS=$(pulumi stack output --json --stack "$STACK")
  local backend pause_id port web sidecar host_port problems=()
  backend=$(outputs_field 'o.backend')
  [ "$backend" = docker ] || die "stack $STACK has backend '$backend': this demo reads Docker containers"
  pause_id=$(outputs_field 'o.pauseId') || die "stack output pauseId is missing"
  # The web member is the container that declares the first port; the sidecar is another member.
  port=$(outputs_field 'o.ports[0].containerPort') || die "stack output ports is empty: the demo needs a member with a port"
  web=$(outputs_field 'o.memberIds[o.ports[0].container]')
  sidecar=$(outputs_field 'Object.entries(o.memberIds).find(([n]) => n !== o.ports[0].container)[1]') \
    || die "the demo needs a second member to make the request from"
  local names; names=$(outputs_field 'Object.keys(o.memberIds).join(", ")')

  echo
  echo "=== PodGroup '$(outputs_field 'o.groupName')' on Docker: pause $(docker inspect -f '{{.Name}}' "$pause_id") + members $names"
  echo
  echo "--- processes seen from the sidecar ($(docker inspect -f '{{.Name}}' "$sidecar")): /pause is PID 1, the web server is visible"
  local ps_out web_pid
  ps_out=$(docker exec "$sidecar" ps -o pid,user,args)
  echo "$ps_out"
  # The web member's main process, as numbered inside the shared PID namespace (last NSpid field).
  web_pid=$(awk '/^NSpid:/ { print $NF }' "/proc/$(docker inspect -f '{{.State.Pid}}' "$web")/status")
  awk '$1 == 1 && $3 == "/pause" { found = 1 } END { exit !found }' <<<"$ps_out" \
    || problems+=("PID 1 of the sidecar's PID namespace is not /pause")
  awk -v p="$web_pid" '$1 == p { found = 1 } END { exit !found }' <<<"$ps_out" \
    || problems+=("the sidecar does not see the web member's process (pid $web_pid)")
  echo
  echo "--- sidecar -> web over the shared localhost: wget -qO- http://127.0.0.1:$port/"
  docker exec "$sidecar" timeout 5 wget -qO- "http://127.0.0.1:$port/" \
    || problems+=("the web member did not answer the sidecar on 127.0.0.1:$port")
  host_port=$(outputs_field 'o.ports[0].hostPort' 2>/dev/null) || host_port=
  if [ -n "$host_port" ]; then
    local host_ip; host_ip=$(outputs_field '[o.ports[0].hostIp].filter((a) => a && a !== "0.0.0.0")[0] || "127.0.0.1"')
    echo
    echo "--- from the host: http://$host_ip:$host_port/ (published on the pause container)"
    timeout 5 busybox wget -qO- "http://$host_ip:$host_port/" || echo "(no answer from the host port)"
  fi
  echo
  echo "--- namespaces (docker inspect): members join the pause container's net/IPC/PID"
  local id mode
  for id in "$pause_id" $(outputs_field 'Object.values(o.memberIds)'); do
    docker inspect -f '{{printf "%-28s" .Name}} NetworkMode={{.HostConfig.NetworkMode}} IpcMode={{.HostConfig.IpcMode}} PidMode={{.HostConfig.PidMode}} User={{.Config.User}}' "$id" \
      | sed "s/$pause_id/<pause id>/g"
    [ "$id" = "$pause_id" ] && continue
    for mode in NetworkMode IpcMode; do
      [ "$(docker inspect -f "{{.HostConfig.$mode}}" "$id")" = "container:$pause_id" ] \
        || problems+=("$(docker inspect -f '{{.Name}}' "$id") $mode is not container:<pause id>")
    done
  done
  echo "    (<pause id> = $pause_id)"
  echo
  if [ ${#problems[@]} -gt 0 ]; then
    printf 'NOT a pod: %s\n' "${problems[@]}"
    return 1
  fi
  echo "Proof OK: /pause is PID 1, the sidecar sees the web member's process and reaches it on localhost, every member joined the pause's net and IPC namespaces."
  echo
  echo "Tear down with: bash scripts/demo.sh down"
}

down() {
  pulumi_ready
  if ! pulumi stack select "$STACK" --non-interactive 2>/dev/null; then
    log "no stack '$STACK': nothing to tear down"
    return 0
  fi
  pulumi destroy --yes --stack "$STACK" --non-interactive
  pulumi stack rm --yes --preserve-config --stack "$STACK" --non-interactive
  log "stack '$STACK' destroyed and removed (the Docker engine keeps running: bash scripts/engine.sh stop)"
}

case ${1:-up} in
  up) up ;;
  proof) proof ;;
  down) down ;;
  *) echo "usage: $0 [up|proof|down]" >&2; exit 2 ;;
esac
