#!/usr/bin/env bash
# The demo: sets up what it needs, deploys the sample group with `pulumi up`, then shows from the
# live group that it is a pod: /pause is PID 1 of the members' shared PID namespace, the sidecar
# reaches the web member over localhost, the members share IPC, and the kernel's namespace ids
# of every process.
#   bash scripts/demo.sh [up|proof|down] [docker|kubernetes]
#   bash scripts/demo.sh                  Docker: set-up, stack `docker` (stacks/Pulumi.docker.yaml)
#                                         up, proof read from the live containers
#   bash scripts/demo.sh kubernetes       Kubernetes: set-up with --kubernetes, the local cluster up
#                                         (scripts/cluster.sh), stack `kubernetes` up (one Pod),
#                                         proof read from the live Pod and the cluster's containerd
#   bash scripts/demo.sh proof [VARIANT]  the proof again, nothing deployed
#   bash scripts/demo.sh down [VARIANT]   pulumi destroy + stack rm, then checks that no container
#                                         or Pod of the group is left; the engine and the cluster
#                                         keep running
# PODGROUP_DEMO_STACK=NAME: use stack NAME (config stacks/Pulumi.NAME.yaml) instead of the
# variant's own; its podgroup:backend must be the variant (set to it when the stack has none).
USAGE="usage: bash scripts/demo.sh [up|proof|down] [docker|kubernetes]
  bash scripts/demo.sh                   set up, deploy the sample group on Docker, show the proof
  bash scripts/demo.sh kubernetes        the same as one Pod on the local cluster (set up, cluster included)
  bash scripts/demo.sh proof [VARIANT]   show the proof again
  bash scripts/demo.sh down [VARIANT]    destroy the demo stack (the engine and the cluster keep running)"
usage_error() { printf 'scripts/demo.sh: %s\n%s\n' "$1" "$USAGE" >&2; exit 2; }
ACTION='' VARIANT=''
for arg in "$@"; do
  case $arg in
    up | proof | down) [ -z "$ACTION" ] || usage_error "two actions: '$ACTION' and '$arg'"; ACTION=$arg ;;
    docker | kubernetes) [ -z "$VARIANT" ] || usage_error "two variants: '$VARIANT' and '$arg'"; VARIANT=$arg ;;
    -h | --help) echo "$USAGE"; exit 0 ;;
    *) usage_error "unknown argument '$arg'" ;;
  esac
done
ACTION=${ACTION:-up} VARIANT=${VARIANT:-docker}

. "$(dirname "$0")/lib/common.sh"
. "$PODGROUP_ROOT/scripts/contract.sh"
cd "$PODGROUP_ROOT"
STACK=${PODGROUP_DEMO_STACK:-$VARIANT}
if [ "$VARIANT" = kubernetes ]; then
  # The local cluster's kubeconfig, containerd socket and kubectl: scripts/cluster/lib/paths.sh.
  . "$PODGROUP_ROOT/scripts/cluster/lib/paths.sh"
  export KUBECONFIG=$KUBECONFIG_ADMIN
  kubectl() { bash "$PODGROUP_ROOT/scripts/cluster.sh" kubectl "$@"; }
  ctr_() { ctr --address "$CTRD_SOCK" --namespace k8s.io "$@"; }
fi
# demo_cmd ACTION [VARIANT]: the demo command as a user types it (defaults left out).
demo_cmd() {
  local cmd="bash scripts/demo.sh"
  [ "$1" = up ] || cmd+=" $1"
  [ "${2:-$VARIANT}" = docker ] || cmd+=" ${2:-$VARIANT}"
  echo "$cmd"
}

pulumi_ready() {
  type -P pulumi >/dev/null \
    || die "no pulumi CLI on PATH (scripts/lib/common.sh puts the one cached under $PODGROUP_CACHE/pulumi" \
      "there): run 'bash scripts/setup.sh' and read its toolchain step"
}

# js JSON EXPR: evaluates EXPR (JavaScript, `o` = the parsed JSON) and prints the result as lines:
# one line per array item, else the value itself; exits 3 when it is undefined or null.
js() {
  node -e '
    const o = JSON.parse(process.argv[2]);
    const v = eval(process.argv[1]);
    if (v === undefined || v === null) process.exit(3);
    console.log(Array.isArray(v) ? v.join("\n") : String(v));
  ' "$2" "$1"
}
# outputs_field EXPR: js over the stack outputs (read by proof into OUTPUTS).
outputs_field() { js "$OUTPUTS" "$1"; }

# config_get KEY: the stack's value of podgroup:KEY, empty when unset.
config_get() { pulumi config get "podgroup:$1" --stack "$STACK" 2>/dev/null || true; }

# The stack's backend must be the variant's: set it on a stack that has none (when deploying),
# refuse another.
check_backend() {
  local backend; backend=$(config_get backend)
  if [ -z "$backend" ] && [ "$ACTION" = up ]; then
    pulumi config set podgroup:backend "$VARIANT" --stack "$STACK"
    log "stack '$STACK' had no podgroup:backend: set it to $VARIANT"
  elif [ -n "$backend" ] && [ "$backend" != "$VARIANT" ]; then
    die "stack '$STACK' has podgroup:backend $backend, not $VARIANT: run '$(demo_cmd "$ACTION" "$backend")'," \
      "or pick another stack (PODGROUP_DEMO_STACK)"
  fi
  if [ "$VARIANT" = kubernetes ]; then
    local kc; kc=$(config_get kubeconfig)
    [ -z "$kc" ] || [ "$kc" = "$KUBECONFIG_ADMIN" ] \
      || die "stack '$STACK' sets podgroup:kubeconfig to $kc; this demo deploys to the local cluster" \
        "($KUBECONFIG_ADMIN): pulumi config rm podgroup:kubeconfig --stack $STACK, or pick another stack" \
        "(PODGROUP_DEMO_STACK)"
  fi
}

# The backend the stack file names (podgroup:backend in stacks/Pulumi.<stack>.yaml), read before
# anything is set up or created: a stack of the other variant is refused without side effects.
early_backend_check() {
  local file=stacks/Pulumi.$STACK.yaml backend
  [ -f "$file" ] || return 0
  backend=$(awk '$1 == "podgroup:backend:" { gsub(/["\047]/, "", $2); print $2 }' "$file")
  [ -z "$backend" ] || [ "$backend" = "$VARIANT" ] \
    || die "stack '$STACK' ($file) has podgroup:backend $backend, not $VARIANT: run" \
      "'$(demo_cmd "$ACTION" "$backend")', or pick another stack (PODGROUP_DEMO_STACK)"
}

cluster_answers() { kubectl get --raw /readyz --request-timeout=5s >/dev/null 2>&1; }

up() {
  early_backend_check
  if [ "$VARIANT" = kubernetes ]; then
    step "set-up, Kubernetes side" bash scripts/setup.sh --kubernetes
    step "local Kubernetes cluster" bash scripts/cluster.sh up >&2 \
      || die "the local cluster did not come up (above; logs in $CLUSTER_LOGS)." \
        "'bash scripts/cluster.sh status' shows what runs"
  else
    step "set-up" bash scripts/setup.sh
  fi
  pulumi_ready
  local cfg=stacks/Pulumi.$STACK.yaml salted
  salted=$(grep -c '^encryptionsalt:' "$cfg" 2>/dev/null || true)
  pulumi stack select --create "$STACK" --non-interactive
  # Creating a stack with the passphrase secrets provider writes an encryptionsalt line into the
  # committed stack file; with the fixed local passphrase that line can be committed once.
  if [ "${salted:-0}" = 0 ] && grep -q '^encryptionsalt:' "$cfg"; then
    log "NOTE: 'pulumi stack init' added an encryptionsalt line to $cfg (commit it once: it is tied to the" \
      "fixed local passphrase, and every later stack init reuses it)"
  fi
  check_backend
  local t0=$SECONDS
  [ "$VARIANT" = docker ] || log "pulumi up of stack '$STACK' on the local cluster (KUBECONFIG=$KUBECONFIG)"
  pulumi up --yes --stack "$STACK" --non-interactive \
    || die "pulumi up failed (output above). Fix, then re-run; or tear down with" \
      "'$(demo_cmd down)'"
  log "pulumi up took $((SECONDS - t0))s"
  proof
}

# ---- the proof ----
# The facts of each variant (docker_facts, kubernetes_facts) fill these; proof() prints and
# checks them the same way for both.
#   MEMBERS          member names, in declaration order
#   WEB SIDECAR      the member that declares the first port, and another member
#   PORT             that port
#   SHARE_PID        true when the members share the sandbox's PID namespace
#   SANDBOX          how the sandbox (pause) process is named in the namespace table
#   SANDBOX_PID      host PID of the pause process
#   HOST_PID[NAME]   host PID of each member's main process
#   PID_SOURCE       where the host PIDs come from
#   UTS_SHARED       true when the runtime shares the sandbox's UTS namespace with the members
#   in_member NAME CMD...   runs CMD in member NAME
declare -a MEMBERS=()
declare -A HOST_PID=() MEMBER_ID=()
WEB='' SIDECAR='' PORT='' SHARE_PID='' SANDBOX='' SANDBOX_PID='' PID_SOURCE='' UTS_SHARED='' POD='' NS='' TASKS=''

# Common to both: the members and the port, from the stack outputs.
member_facts() {
  mapfile -t MEMBERS < <(outputs_field 'o.members')
  # The web member is the container that declares the first port; the sidecar is another member.
  PORT=$(outputs_field 'o.ports[0].containerPort') \
    || die "stack output ports is empty: the demo needs a member with a port"
  WEB=$(outputs_field 'o.ports[0].container')
  SIDECAR=$(outputs_field 'o.members.find((n) => n !== o.ports[0].container)') \
    || die "the demo needs a second member to make the request from"
}

docker_facts() {
  local pause_id name
  pause_id=$(outputs_field 'o.pauseId') || die "stack output pauseId is missing"
  member_facts
  local id
  while read -r name id; do
    MEMBER_ID[$name]=$id
    HOST_PID[$name]=$(docker inspect -f '{{.State.Pid}}' "$id")
  done < <(outputs_field 'Object.entries(o.memberIds).map(([n, id]) => `${n} ${id}`)')
  MEMBER_ID[pause]=$pause_id
  SANDBOX="pause ($(docker inspect -f '{{.Name}}' "$pause_id" | sed 's|^/||'))"
  SANDBOX_PID=$(docker inspect -f '{{.State.Pid}}' "$pause_id")
  [ "$(docker inspect -f '{{.HostConfig.PidMode}}' "${MEMBER_ID[$SIDECAR]}")" = "container:$pause_id" ] \
    && SHARE_PID=true || SHARE_PID=false
  PID_SOURCE="docker inspect -f '{{.State.Pid}}'"
  UTS_SHARED=false
  echo
  echo "=== PodGroup '$(outputs_field 'o.groupName')' on Docker:" \
    "pause $(docker inspect -f '{{.Name}}' "$pause_id") + members ${MEMBERS[*]}"
}
in_docker_member() { local id=${MEMBER_ID[$1]}; shift; docker exec "$id" "$@"; }

kubernetes_facts() {
  cluster_answers || die "the local cluster does not answer (KUBECONFIG=$KUBECONFIG): bring it up with" \
    "'bash scripts/cluster.sh up', then re-run"
  POD=$(outputs_field 'o.podName') || die "stack output podName is missing"
  NS=$(outputs_field 'o.namespace') || die "stack output namespace is missing"
  member_facts
  local pod_json uid name id sandboxes
  pod_json=$(kubectl get pod -n "$NS" "$POD" -o json) \
    || die "Pod $NS/$POD not found: was it deleted by hand? 'bash scripts/demo.sh kubernetes' re-creates it"
  uid=$(js "$pod_json" 'o.metadata.uid')
  SHARE_PID=$(js "$pod_json" 'o.spec.shareProcessNamespace === true')
  # Host PIDs from the cluster's containerd: the containers' tasks (IDs from the Pod's status), and
  # the sandbox's, found by the labels the CRI puts on it.
  TASKS=$(ctr_ tasks list) \
    || die "the cluster's containerd ($CTRD_SOCK) does not answer: 'bash scripts/cluster.sh status'"
  for name in "${MEMBERS[@]}"; do
    id=$(js "$pod_json" "(o.status.containerStatuses || []).find((c) => c.name === '$name')
      ?.containerID?.replace(/^.*:\/\//, '')") \
      || die "container $name of Pod $NS/$POD has no ID yet (is the Pod running? kubectl get pod -n $NS $POD)"
    HOST_PID[$name]=$(task_pid "$id")
    [ -n "${HOST_PID[$name]}" ] || die "container $name ($id) has no running task in the cluster's containerd"
  done
  sandboxes=$(ctr_ containers list --quiet \
    "labels.\"io.kubernetes.pod.uid\"==$uid,labels.\"io.cri-containerd.kind\"==sandbox")
  for id in $sandboxes; do
    [ -z "$(task_pid "$id")" ] || { SANDBOX_PID=$(task_pid "$id"); SANDBOX="pause (sandbox ${id:0:12})"; }
  done
  [ -n "$SANDBOX_PID" ] || die "no running sandbox for Pod $NS/$POD (uid $uid) in the cluster's containerd"
  PID_SOURCE="ctr --address $CTRD_SOCK -n k8s.io tasks list"
  UTS_SHARED=true
  echo
  echo "=== PodGroup '$(outputs_field 'o.groupName')' on Kubernetes: Pod $NS/$POD + containers ${MEMBERS[*]}"
  echo
  kubectl get pod -n "$NS" "$POD" -o wide
}
# task_pid ID: the host PID of the running task ID in TASKS (`ctr tasks list`: TASK PID STATUS).
task_pid() { awk -v id="$1" '$1 == id && $3 == "RUNNING" { print $2 }' <<<"$TASKS"; }
in_kubernetes_member() { local name=$1; shift; kubectl exec -n "$NS" "$POD" -c "$name" -- "$@"; }

in_member() { "in_${VARIANT}_member" "$@"; }

# ns_row NAME HOST-PID NET IPC PID UTS: one row of the namespace table.
ns_row() { printf '    %-34s %9s  %-11s %-11s %-11s %s\n' "$@"; }

# ns_ids PID: the kernel's ids of the net, ipc, pid and uts namespaces of a host process.
ns_ids() {
  local pid=$1 kind link ids=()
  for kind in net ipc pid uts; do
    link=$(readlink "/proc/$pid/ns/$kind") || die "cannot read /proc/$pid/ns/$kind"
    link=${link#*\[}; ids+=("${link%]}")
  done
  echo "${ids[*]}"
}

proof() {
  pulumi_ready
  early_backend_check
  local err=$PODGROUP_RUN/demo-proof.err
  if ! OUTPUTS=$(pulumi stack output --json --stack "$STACK" 2>"$err"); then
    grep -q "no stack named" "$err" || cat "$err" >&2
    die "no stack '$STACK' to read: deploy it first with '$(demo_cmd up)'"
  fi
  local backend problems=() shared=()
  backend=$(outputs_field 'o.backend') \
    || die "stack '$STACK' has no outputs: deploy it with '$(demo_cmd up)'"
  [ "$backend" = "$VARIANT" ] \
    || die "stack '$STACK' has backend '$backend': its proof is 'bash scripts/demo.sh proof $backend'"
  "${VARIANT}_facts"

  echo
  echo "--- processes seen from the sidecar ($SIDECAR): $( [ "$SHARE_PID" = true ] \
    && echo "/pause is PID 1, the web server is visible" || echo "the PID namespace is not shared")"
  local ps_out web_pid
  ps_out=$(in_member "$SIDECAR" ps -o pid,user,args) || problems+=("ps in the sidecar failed")
  echo "$ps_out"
  if [ "$SHARE_PID" = true ]; then
    # The web member's main process, as numbered inside the shared PID namespace (last NSpid field).
    web_pid=$(awk '/^NSpid:/ { print $NF }' "/proc/${HOST_PID[$WEB]}/status")
    awk '$1 == 1 && $3 == "/pause" { found = 1 } END { exit !found }' <<<"$ps_out" \
      || problems+=("PID 1 of the sidecar's PID namespace is not /pause")
    awk -v p="$web_pid" '$1 == p { found = 1 } END { exit !found }' <<<"$ps_out" \
      || problems+=("the sidecar does not see the web member's process (pid $web_pid)")
  else
    echo "(the group does not set shareProcessNamespace: each member has its own PID 1)"
  fi

  echo
  echo "--- sidecar -> web over the shared localhost: wget -qO- http://127.0.0.1:$PORT/"
  in_member "$SIDECAR" timeout 5 wget -qO- "http://127.0.0.1:$PORT/" \
    || problems+=("the web member did not answer the sidecar on 127.0.0.1:$PORT")
  if [ "$VARIANT" = docker ]; then docker_host_port; fi

  echo
  echo "--- shared IPC: the IPC namespace seen inside each member, and a /dev/shm file $WEB writes that $SIDECAR reads"
  local name ipc first_ipc='' shm=/dev/shm/podgroup-demo-$$
  for name in "${MEMBERS[@]}"; do
    ipc=$(in_member "$name" readlink /proc/self/ns/ipc) || ipc="(exec failed)"
    printf '    %-12s %s\n' "$name" "$ipc"
    [ -n "$first_ipc" ] || first_ipc=$ipc
    [ "$ipc" = "$first_ipc" ] || problems+=("$name sees IPC namespace $ipc, ${MEMBERS[0]} $first_ipc")
  done
  local got=''
  if in_member "$WEB" sh -c "echo shared-by-$WEB > $shm" && got=$(in_member "$SIDECAR" cat "$shm"); then
    printf '    %s reads %s: %s\n' "$SIDECAR" "$shm" "$got"
  fi
  in_member "$WEB" rm -f "$shm" || true
  [ "$got" = "shared-by-$WEB" ] || problems+=("$SIDECAR cannot read the /dev/shm file $WEB wrote")

  echo
  echo "--- kernel namespace ids: readlink /proc/<host pid>/ns/{net,ipc,pid,uts}"
  echo "    (host PIDs from $PID_SOURCE)"
  local sb row kinds=(net ipc pid uts) i same
  read -r -a sb <<<"$(ns_ids "$SANDBOX_PID")"
  ns_row process "host pid" net ipc pid uts
  ns_row "$SANDBOX" "$SANDBOX_PID" "${sb[@]}"
  for name in "${MEMBERS[@]}"; do
    read -r -a row <<<"$(ns_ids "${HOST_PID[$name]}")"
    ns_row "$name" "${HOST_PID[$name]}" "${row[@]}"
    same=()
    for i in 0 1 2 3; do [ "${row[$i]}" != "${sb[$i]}" ] || same+=("${kinds[$i]}"); done
    shared+=("$(printf '    %-12s shares with the sandbox: %s' "$name" "${same[*]:-nothing}")")
    for i in 0 1; do
      [ "${row[$i]}" = "${sb[$i]}" ] || problems+=("$name is not in the sandbox's ${kinds[$i]} namespace")
    done
    if [ "$SHARE_PID" = true ] && [ "${row[2]}" != "${sb[2]}" ]; then
      problems+=("$name is not in the sandbox's pid namespace")
    elif [ "$SHARE_PID" != true ] && [ "${row[2]}" = "${sb[2]}" ]; then
      problems+=("$name shares the sandbox's pid namespace though the group does not set shareProcessNamespace")
    fi
    [ "$UTS_SHARED" != true ] || [ "${row[3]}" = "${sb[3]}" ] \
      || problems+=("$name is not in the sandbox's uts namespace")
  done
  printf '%s\n' "${shared[@]}"
  [ "$UTS_SHARED" = true ] \
    || echo "    (Docker cannot share the UTS namespace: each member has its own, holding the group's hostname)"
  if [ "$VARIANT" = docker ]; then docker_modes; fi

  echo
  if [ ${#problems[@]} -gt 0 ]; then
    printf 'NOT a pod: %s\n' "${problems[@]}"
    return 1
  fi
  local list="net, IPC"
  [ "$SHARE_PID" != true ] || list+=", PID"
  [ "$UTS_SHARED" != true ] || list+=", UTS"
  if [ "$SHARE_PID" = true ]; then
    echo "Proof OK: /pause is PID 1, the sidecar sees the web member's process and reaches it on localhost," \
      "every member is in the sandbox's ${list%, *} and ${list##*, } namespaces (kernel ids above)."
  else
    echo "Proof OK: the sidecar reaches the web member on localhost, every member is in the sandbox's" \
      "${list%, *} and ${list##*, } namespaces (kernel ids above)."
  fi
  echo
  echo "Tear down with: $(demo_cmd down)"
}

# Docker only: the port published on the pause container, from the host.
docker_host_port() {
  local host_port host_ip
  host_port=$(outputs_field 'o.ports[0].hostPort' 2>/dev/null) || return 0
  host_ip=$(outputs_field '[o.ports[0].hostIp].filter((a) => a && a !== "0.0.0.0")[0] || "127.0.0.1"')
  echo
  echo "--- from the host: http://$host_ip:$host_port/ (published on the pause container)"
  timeout 5 busybox wget -qO- "http://$host_ip:$host_port/" || echo "(no answer from the host port)"
}

# Docker only: how Docker records the sharing (problems added to the caller's list).
docker_modes() {
  local pause_id=${MEMBER_ID[pause]} id mode
  echo
  echo "--- namespaces (docker inspect): members join the pause container's net/IPC/PID"
  for id in "$pause_id" $(outputs_field 'Object.values(o.memberIds)'); do
    docker inspect -f '{{printf "%-28s" .Name}} NetworkMode={{.HostConfig.NetworkMode}}
      {{- " "}}IpcMode={{.HostConfig.IpcMode}} PidMode={{.HostConfig.PidMode}} User={{.Config.User}}' "$id" \
      | sed "s/$pause_id/<pause id>/g"
    [ "$id" = "$pause_id" ] && continue
    for mode in NetworkMode IpcMode; do
      [ "$(docker inspect -f "{{.HostConfig.$mode}}" "$id")" = "container:$pause_id" ] \
        || problems+=("$(docker inspect -f '{{.Name}}' "$id") $mode is not container:<pause id>")
    done
  done
  echo "    (<pause id> = $pause_id)"
}

# leftovers GROUP [NAMESPACE]: what is left of the group: its containers on Docker, its Pods on
# the cluster (in NAMESPACE, else in any), found by the group label.
leftovers() {
  if [ "$VARIANT" = docker ]; then
    docker ps -a --filter "label=$CONTRACT_LABELS_GROUP=$1" --format '{{.Names}} ({{.Status}})'
  else
    local where=--all-namespaces
    [ -z "${2:-}" ] || where=--namespace=$2
    kubectl get pods "$where" -l "$CONTRACT_LABELS_GROUP=$1" \
      -o 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} ({.status.phase}){"\n"}{end}'
  fi
}

down() {
  early_backend_check
  pulumi_ready
  if ! pulumi stack select "$STACK" --non-interactive 2>/dev/null; then
    log "no stack '$STACK': nothing to tear down"
    return 0
  fi
  check_backend
  local group namespace what=container
  [ "$VARIANT" = docker ] || what=Pod
  # The group (and namespace) deployed, from the outputs; from the config when up never finished.
  OUTPUTS=$(pulumi stack output --json --stack "$STACK" 2>/dev/null) || OUTPUTS='{}'
  group=$(outputs_field 'o.groupName') || group=$(config_get name)
  namespace=$(outputs_field 'o.namespace') || namespace=$(config_get namespace)
  if [ "$VARIANT" = kubernetes ]; then
    cluster_answers || die "the local cluster does not answer (KUBECONFIG=$KUBECONFIG), so the Pod cannot be" \
      "deleted: bring it up with 'bash scripts/cluster.sh up', then re-run 'bash scripts/demo.sh down kubernetes'"
  fi
  pulumi destroy --yes --stack "$STACK" --non-interactive \
    || die "pulumi destroy failed (output above): fix, then re-run '$(demo_cmd down)'"
  pulumi stack rm --yes --preserve-config --stack "$STACK" --non-interactive
  if [ -n "$group" ]; then
    # Pulumi waits for the deletion; a Pod still terminating gets a minute more.
    local left t0=$SECONDS grace=0
    [ "$VARIANT" = docker ] || grace=60
    while :; do
      left=$(leftovers "$group" "$namespace") || die "cannot list what is left of group '$group' (above)"
      { [ -n "$left" ] && [ $((SECONDS - t0)) -lt $grace ]; } || break
      sleep 2
    done
    [ -z "$left" ] || die "pulumi destroy left ${what}s of group '$group' behind: ${left//$'\n'/, }"
    log "no $what of group '$group' is left"
  fi
  if [ "$VARIANT" = docker ]; then
    log "stack '$STACK' destroyed and removed (the Docker engine keeps running: bash scripts/engine.sh stop)"
  else
    log "stack '$STACK' destroyed and removed (the local cluster keeps running: bash scripts/cluster.sh down)"
  fi
}

"$ACTION"
