# Where the single-node cluster keeps its binaries, state and sockets. Sourced after
# scripts/lib/common.sh by scripts/cluster.sh and scripts/cluster/*.sh.

# The Kubernetes version is the one the wrapper module requires (scripts/cluster/build/go.mod).
KUBE_VERSION=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit}
  $1 == "require" && $2 == "k8s.io/kubernetes" {print $3; exit}' "$PODGROUP_ROOT/scripts/cluster/build/go.mod")
[[ -n $KUBE_VERSION ]] || die "no k8s.io/kubernetes version in scripts/cluster/build/go.mod"
KUBE_COMPONENTS="kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl"
# Machine-level binary cache, shared by every checkout.
KUBE_DIR=$PODGROUP_CACHE/kubernetes/$KUBE_VERSION

# Cluster state: one cluster per machine, outside any checkout (certs survive `down`).
CLUSTER_STATE=${PODGROUP_CLUSTER_STATE:-/var/lib/podgroup-cluster}
CLUSTER_PKI=$CLUSTER_STATE/pki
CLUSTER_LOGS=$CLUSTER_STATE/logs
CLUSTER_PIDS=$CLUSTER_STATE/pids
KUBECONFIG_ADMIN=$CLUSTER_STATE/admin.kubeconfig

# containerd of the cluster: its own root, state and socket, apart from Docker's containerd.
CTRD_ROOT=$CLUSTER_STATE/containerd
CTRD_STATE=/run/podgroup-containerd
CTRD_SOCK=$CTRD_STATE/containerd.sock

# Network: pods on a CNI bridge, far from docker0 (172.17.0.0/16) and Docker's default pools.
CNI_BRIDGE=podgroup0
POD_CIDR=10.88.0.0/16
SERVICE_CIDR=10.96.0.0/16
NODE_NAME=${PODGROUP_NODE_NAME:-podgroup-node}
IPT_COMMENT=podgroup-cluster

ETCD_CLIENT_PORT=12379
ETCD_PEER_PORT=12380
APISERVER_PORT=6443
