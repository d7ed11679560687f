#!/usr/bin/env bash
# Brings the single-node cluster up, in order, each step waited for with a time limit:
#   binary (build when missing) -> certificates -> etcd -> kube-apiserver -> controller-manager
#   and scheduler -> pod network -> containerd -> images -> kubelet -> node Ready.
# Idempotent: what runs with the same command line and configuration is left alone, so a warm
# `up` only checks. Prints the kubeconfig path at the end.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib/paths.sh"
. "$(dirname "$0")/lib/proc.sh"
. "$(dirname "$0")/lib/node.sh"
. "$(dirname "$0")/lib/config.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
T0=$SECONDS
PKI=$CLUSTER_PKI
API=https://127.0.0.1:$APISERVER_PORT

ensure_binary() {
  if ! bash "$HERE/build.sh" --check; then
    log "Kubernetes $KUBE_VERSION binary missing or stale: building it (progress below)"
  fi
  bash "$HERE/build.sh" >/dev/null || die "the Kubernetes build failed (above)"
}

curl_api() { curl -fsS --max-time 5 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$API$1"; }
kubectl_() { "$KUBE_DIR/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }

start_etcd() {
  mkdir -p "$CLUSTER_STATE/etcd"
  chmod 700 "$CLUSTER_STATE/etcd"
  local url=http://127.0.0.1:$ETCD_CLIENT_PORT peer=http://127.0.0.1:$ETCD_PEER_PORT
  PROC_INPUTS="" proc_start etcd /usr/bin/etcd --name podgroup --data-dir "$CLUSTER_STATE/etcd" \
    --listen-client-urls "$url" --advertise-client-urls "$url" \
    --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
    --initial-cluster "podgroup=$peer" --initial-cluster-state new \
    --listen-metrics-urls "" --log-level warn --quota-backend-bytes 1073741824
  proc_wait etcd 30 "healthy" curl -fsS --max-time 2 "$url/health"
}

start_apiserver() {
  local node_ip=$1
  PROC_INPUTS="$KUBE_DIR/.source-hash $PKI/apiserver.crt $PKI/ca.crt $PKI/sa.pub" \
  proc_start kube-apiserver "$KUBE_DIR/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --bind-address 127.0.0.1 --secure-port "$APISERVER_PORT" --advertise-address "$node_ip" \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "$PKI/ca.crt" \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --allow-privileged=false --profiling=false --v=1 \
    --feature-gates SizeBasedListCostEstimate=false
  # SizeBasedListCostEstimate (beta in 1.34) lists every resource's keys from the watch cache
  # each minute; with Debian's etcd 3.4 (no RequestWatchProgress) the cache cannot confirm
  # fresh revisions, each list times out ("Error getting keys ... Too large resource version")
  # and the loop holds up the apiserver's shutdown for ~20s.
  proc_wait kube-apiserver 120 "/readyz ok" curl_api /readyz
}

start_controllers() {
  local common=(--bind-address 127.0.0.1 --leader-elect=false --profiling=false --v=1)
  PROC_INPUTS="$KUBE_DIR/.source-hash $CLUSTER_STATE/controller-manager.kubeconfig $PKI/sa.key" \
  proc_start kube-controller-manager "$KUBE_DIR/kube-controller-manager" "${common[@]}" \
    --kubeconfig "$CLUSTER_STATE/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$CLUSTER_STATE/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$CLUSTER_STATE/controller-manager.kubeconfig" \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --use-service-account-credentials=true --service-cluster-ip-range "$SERVICE_CIDR" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key"
  PROC_INPUTS="$KUBE_DIR/.source-hash $CLUSTER_STATE/scheduler.kubeconfig" \
  proc_start kube-scheduler "$KUBE_DIR/kube-scheduler" "${common[@]}" \
    --kubeconfig "$CLUSTER_STATE/scheduler.kubeconfig" \
    --authentication-kubeconfig "$CLUSTER_STATE/scheduler.kubeconfig" \
    --authorization-kubeconfig "$CLUSTER_STATE/scheduler.kubeconfig"
  proc_wait kube-controller-manager 60 "/healthz ok" curl -fsSk --max-time 2 https://127.0.0.1:10257/healthz
  proc_wait kube-scheduler 60 "/healthz ok" curl -fsSk --max-time 2 https://127.0.0.1:10259/healthz
}

start_containerd() {
  write_containerd_config
  mkdir -p "$CTRD_ROOT" "$CTRD_STATE"
  PROC_INPUTS="$CLUSTER_STATE/containerd.toml" \
  proc_start containerd /usr/bin/containerd --config "$CLUSTER_STATE/containerd.toml" --log-level warn
  proc_wait containerd 30 "socket answers" ctr -a "$CTRD_SOCK" version
}

start_kubelet() {
  local node_ip=$1
  write_kubelet_config "$node_ip"
  mkdir -p "$CLUSTER_STATE/kubelet" "$CLUSTER_STATE/pod-logs" "$CLUSTER_STATE/kubelet-plugins"
  PROC_INPUTS="$KUBE_DIR/.source-hash $CLUSTER_STATE/kubelet.yaml $CLUSTER_STATE/kubelet.kubeconfig $PKI/kubelet-serving.crt" \
  proc_start kubelet "$KUBE_DIR/kubelet" --config "$CLUSTER_STATE/kubelet.yaml" \
    --kubeconfig "$CLUSTER_STATE/kubelet.kubeconfig" --root-dir "$CLUSTER_STATE/kubelet" \
    --hostname-override "$NODE_NAME" --node-ip "$node_ip" --v=1
  proc_wait kubelet 60 "/healthz ok" curl -fsS --max-time 2 http://127.0.0.1:10248/healthz
  proc_wait kubelet 120 "node $NODE_NAME Ready" node_ready
}

node_ready() {
  [[ $(kubectl_ get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}') == True ]] || return 1
  # The node controller removes the not-ready taint shortly after Ready: pods schedule then.
  ! kubectl_ get node "$NODE_NAME" -o 'jsonpath={.spec.taints[*].key}' | grep -q not-ready
}

[[ $(id -u) == 0 ]] || die "scripts/cluster.sh up needs root (containerd, kubelet, iptables)"
mkdir -p "$CLUSTER_STATE"
step "Kubernetes $KUBE_VERSION binary" ensure_binary
NODE_IP=$(node_ip)
step "certificates" bash "$HERE/certs.sh"
step etcd start_etcd
step kube-apiserver start_apiserver "$NODE_IP"
step "controller-manager and scheduler" start_controllers
step "pod network" bash "$HERE/network.sh" up
step containerd start_containerd
step images bash "$HERE/load-images.sh"
step kubelet start_kubelet "$NODE_IP"

log "cluster up in $((SECONDS - T0))s: node $NODE_NAME ($NODE_IP) Ready, Kubernetes $KUBE_VERSION"
echo "KUBECONFIG=$KUBECONFIG_ADMIN"
echo "kubectl: $KUBE_DIR/kubectl"
