#!/usr/bin/env bash
# Status of the single-node cluster: each process (pid, resident memory) and their total,
# the containerd shims of its pods, node readiness and the pods the runtime holds.
# Exit status 0 when every process runs and the node is Ready.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib/paths.sh"
. "$(dirname "$0")/lib/proc.sh"

ok=0 total=0
printf '%-24s %8s %10s\n' PROCESS PID RSS_MiB
for name in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet; do
  if pid=$(proc_pid "$name"); then
    kib=$(proc_rss_kib "$pid"); total=$((total + kib))
    printf '%-24s %8s %10s\n' "$name" "$pid" "$((kib / 1024))"
  else
    printf '%-24s %8s %10s\n' "$name" - "not running"; ok=1
  fi
done
printf '%-24s %8s %10s\n' "total (cluster)" "" "$((total / 1024))"

shim_kib=0 shims=0
for pid in $(pgrep -f -- "(^|/)containerd-shim-runc-v2 .*-address $CTRD_SOCK( |\$)" || true); do
  shims=$((shims + 1)); shim_kib=$((shim_kib + $(proc_rss_kib "$pid")))
done
printf '%-24s %8s %10s\n' "pod shims" "$shims" "$((shim_kib / 1024))"

echo
if [[ -x $KUBE_DIR/kubectl ]] && "$KUBE_DIR/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" get nodes -o wide 2>/dev/null; then
  ready=$("$KUBE_DIR/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" get node "$NODE_NAME" \
    -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)
  [[ $ready == True ]] || ok=1
else
  echo "node: the API server does not answer"; ok=1
fi
if ctr -a "$CTRD_SOCK" version >/dev/null 2>&1 && [[ -x $KUBE_DIR/kube ]]; then
  echo; echo "pods in the runtime (CRI):"
  "$KUBE_DIR/kube" cri pods "unix://$CTRD_SOCK" 2>/dev/null || true
fi
echo
echo "KUBECONFIG=$KUBECONFIG_ADMIN   kubectl: $KUBE_DIR/kubectl   logs: $CLUSTER_LOGS"
exit "$ok"
