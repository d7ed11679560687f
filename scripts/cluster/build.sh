#!/usr/bin/env bash
# Builds the multi-call Kubernetes binary (scripts/cluster/build/) into the machine-level cache:
#   $PODGROUP_CACHE/kubernetes/<version>/kube  + symlinks kube-apiserver, kubelet, kubectl, ...
# Skips the build when the cached binary was built from the same sources (stamp file).
# Usage: scripts/cluster/build.sh [--force]      (prints the binary directory on stdout)
#        scripts/cluster/build.sh --check        (exit 0 when the cached binary is up to date)
# Progress every 20 s on stderr (scripts/lib/go.sh); the log is
#   $PODGROUP_CACHE/logs/kubernetes-<version>.log
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib/paths.sh"
. "$(dirname "$0")/../lib/go.sh"

force=${1:-}
src=$PODGROUP_ROOT/scripts/cluster/build
stamp=$KUBE_DIR/.source-hash
want=$(go_source_hash "$src" "$KUBE_VERSION")

link_components() {
  local c
  for c in $KUBE_COMPONENTS; do ln -sfn kube "$KUBE_DIR/$c"; done
}

up_to_date() { [[ -x $KUBE_DIR/kube && -f $stamp && $(cat "$stamp") == "$want" ]]; }
if [[ $force == --check ]]; then up_to_date; exit; fi

if [[ $force != --force ]] && up_to_date; then
  link_components
  echo "$KUBE_DIR"
  exit 0
fi

mkdir -p "$KUBE_DIR" "$PODGROUP_CACHE/logs"
# One build at a time per machine: a second caller waits for the first and then finds it done.
exec 9>"$KUBE_DIR/.build.lock"
if ! flock -n 9; then
  log "another build of Kubernetes $KUBE_VERSION is running; waiting for it (log: $PODGROUP_CACHE/logs/kubernetes-$KUBE_VERSION.log)"
  flock 9
  if up_to_date; then
    link_components; echo "$KUBE_DIR"; exit 0
  fi
fi

ver=k8s.io/component-base/version
cver=k8s.io/client-go/pkg/version
minor=${KUBE_VERSION#v1.}; minor=${minor%%.*}
ldflags="-s -w"
for p in $ver $cver; do
  ldflags+=" -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
done
log "building Kubernetes $KUBE_VERSION (CGO off) -> $KUBE_DIR/kube"
go_build "kubernetes-$KUBE_VERSION" "$KUBE_DIR/kube" "$src" . -ldflags "$ldflags" >&2 \
  || die "Kubernetes build failed (log named above)"
echo "$want" >"$stamp"
link_components
echo "$KUBE_DIR"
