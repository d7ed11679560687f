#!/usr/bin/env bash
# Smoke test of a running cluster (scripts/cluster.sh up first):
#   1. the node is Ready;
#   2. a pod of podgroup/toolbox:1.0.0 (imagePullPolicy Never) running `sleep` gets Running and
#      `kubectl exec` works in it;
#   3. a 2-container pod with shareProcessNamespace: PID 1 seen from a container is /pause, and
#      the pod's sandbox container in containerd is the project's pause image; the time from
#      `kubectl apply` to Ready is printed;
#   4. both pods are deleted again.
# Exit status 0 only when every check passed.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib/paths.sh"
. "$(dirname "$0")/lib/config.sh"

NS=default
k() { "$KUBE_DIR/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" -n "$NS" "$@"; }
ms() { date +%s%3N; }
fail() { k get pods -o wide >&2 || true; k describe pod "$1" 2>&1 | tail -n 25 >&2 || true; die "$2"; }
toolbox=$(image_ref toolbox)
pause=$(normalise_ref "$(image_ref pause)")

cleanup() { k delete pod smoke-sleep smoke-group --ignore-not-found --grace-period=1 --wait=false >/dev/null 2>&1 || true; }
trap cleanup EXIT

log "1. node"
k get nodes -o wide
[[ $(k get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}') == True ]] \
  || die "node $NODE_NAME is not Ready"

# Pods are refused until the service-account controller has made the namespace's `default` SA.
for _ in $(seq 1 60); do k get serviceaccount default >/dev/null 2>&1 && break; sleep 0.5; done

log "2. a pod running sleep, then kubectl exec"
k apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata: {name: smoke-sleep}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: $toolbox
    imagePullPolicy: Never
    command: [sleep, "3600"]
EOF
k wait pod/smoke-sleep --for=condition=Ready --timeout=60s || fail smoke-sleep "smoke-sleep did not get Ready"
out=$(k exec smoke-sleep -- echo exec-works) || fail smoke-sleep "kubectl exec failed"
[[ $out == exec-works ]] || die "kubectl exec printed '$out'"
log "exec ok: $out"

log "3. a 2-container pod sharing its PID namespace"
t0=$(ms)
k apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata: {name: smoke-group}
spec:
  terminationGracePeriodSeconds: 1
  shareProcessNamespace: true
  containers:
  - name: a
    image: $toolbox
    imagePullPolicy: Never
    command: [sleep, "3600"]
  - name: b
    image: $toolbox
    imagePullPolicy: Never
    command: [sleep, "3600"]
EOF
k wait pod/smoke-group --for=condition=Ready --timeout=60s || fail smoke-group "smoke-group did not get Ready"
log "smoke-group: kubectl apply -> Ready in $(($(ms) - t0)) ms"
ps_out=$(k exec smoke-group -c a -- ps) || fail smoke-group "ps in smoke-group failed"
echo "$ps_out"
pid1=$(awk '$1 == 1 {print $NF}' <<<"$ps_out")
[[ $pid1 == /pause ]] || die "PID 1 in smoke-group is '$pid1', not /pause"
[[ $(grep -c 'sleep 3600' <<<"$ps_out") == 2 ]] || die "container a does not see both sleeps"
log "PID 1 is /pause and both containers' processes are visible"

sandbox=$(k get pod smoke-group -o 'jsonpath={.metadata.uid}')
line=$(ctr -n k8s.io -a "$CTRD_SOCK" containers ls | grep -F "$pause" | head -n 20)
echo "$line"
found=0
for id in $(awk '{print $1}' <<<"$line"); do
  ctr -n k8s.io -a "$CTRD_SOCK" containers info "$id" | grep -q "\"io.kubernetes.pod.uid\": \"$sandbox\"" && found=1
done
((found)) || die "no sandbox container of smoke-group uses $pause"
log "smoke-group's sandbox runs $pause"

log "4. delete"
k delete pod smoke-sleep smoke-group --grace-period=1 --timeout=60s
trap - EXIT
log "smoke test passed"
