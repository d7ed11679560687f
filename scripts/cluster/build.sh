#!/usr/bin/env bash
# Builds the multi-call Kubernetes binary (scripts/cluster/build/) into the machine-level cache:
#   $PODGROUP_CACHE/kubernetes/<version>/kube  + symlinks kube-apiserver, kubelet, kubectl, ...
# Skips the build when the cached binary was built from the same sources (stamp file).
# Usage: scripts/cluster/build.sh [--force]      (prints the binary directory on stdout)
#        scripts/cluster/build.sh --check        (exit 0 when the cached binary is up to date)
# Progress: `go build -v` names each package as it is compiled; the log is
#   $PODGROUP_CACHE/logs/kubernetes-build-<version>.log
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib/paths.sh"

force=${1:-}
src=$PODGROUP_ROOT/scripts/cluster/build
stamp=$KUBE_DIR/.source-hash
want=$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -d' ' -f1)

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
log_file=$PODGROUP_CACHE/logs/kubernetes-build-$KUBE_VERSION.log
# One build at a time per machine: a second caller waits for the first and then finds it done.
exec 9>"$KUBE_DIR/.build.lock"
if ! flock -n 9; then
  log "another build of Kubernetes $KUBE_VERSION is running; waiting for it (log: $log_file)"
  flock 9
  if up_to_date; then
    link_components; echo "$KUBE_DIR"; exit 0
  fi
fi

cd "$src"
total=$(CGO_ENABLED=0 go list -deps . 2>/dev/null | wc -l || echo '?')
log "building Kubernetes $KUBE_VERSION ($total packages; CGO off) -> $KUBE_DIR/kube; log: $log_file"
ver=k8s.io/component-base/version
cver=k8s.io/client-go/pkg/version
minor=${KUBE_VERSION#v1.}; minor=${minor%%.*}
ldflags="-s -w"
for p in $ver $cver; do
  ldflags+=" -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
done
t0=$SECONDS
if ! CGO_ENABLED=0 go build -v -trimpath -ldflags "$ldflags" -o "$KUBE_DIR/kube.tmp" . >"$log_file" 2>&1; then
  tail -n 30 "$log_file" >&2
  die "Kubernetes build failed after $((SECONDS - t0))s (full log: $log_file)"
fi
mv -f "$KUBE_DIR/kube.tmp" "$KUBE_DIR/kube"
echo "$want" >"$stamp"
link_components
log "built Kubernetes $KUBE_VERSION in $((SECONDS - t0))s ($(du -h "$KUBE_DIR/kube" | cut -f1))"
echo "$KUBE_DIR"
