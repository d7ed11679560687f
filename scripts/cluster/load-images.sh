#!/usr/bin/env bash
# Loads the project's images (images/images.json) from Docker into the cluster's containerd,
# under the normalised names kubelet asks for (podgroup/pause:1.0.0 -> docker.io/podgroup/pause:1.0.0):
#   docker save REF | ctr -n k8s.io -a $CTRD_SOCK images import -
# An image already imported from the same Docker image ID (label podgroup.io/docker-id) is
# skipped. Builds the images first (scripts/images.sh skips up-to-date ones) and starts the
# Docker engine when none answers (scripts/engine.sh).
# Usage: scripts/cluster/load-images.sh     (containerd of the cluster must be running)
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/lib/paths.sh"
. "$(dirname "$0")/lib/config.sh"

ctr_() { ctr -n k8s.io -a "$CTRD_SOCK" "$@"; }

ctr_ version >/dev/null 2>&1 || die "the cluster's containerd does not answer on $CTRD_SOCK (run scripts/cluster.sh up)"
bash "$PODGROUP_ROOT/scripts/engine.sh" start
bash "$PODGROUP_ROOT/scripts/images.sh"

LABEL=podgroup.io/docker-id
names=$(node -p "Object.keys(require('$PODGROUP_ROOT/images/images.json')).join(' ')")
for name in $names; do
  ref=$(image_ref "$name")
  full=$(normalise_ref "$ref")
  if ! id=$(docker image inspect -f '{{.Id}}' "$ref" 2>/dev/null); then
    # pause (the sandbox image) and toolbox (the members of tests) are required; images built
    # by other scripts (e.g. the supervisor's) are loaded when present.
    [[ $name == pause || $name == toolbox ]] && die "image $ref is not in Docker (scripts/images.sh should have built it)"
    log "image $ref is not in Docker: not loaded"
    continue
  fi
  # (output captured first: `grep -q` closing the pipe early fails the pipeline under pipefail)
  listed=$(ctr_ images ls "name==$full")
  if grep -q "$LABEL=$id" <<<"$listed"; then
    log "image $full already loaded (${id:7:12})"
    continue
  fi
  t0=$SECONDS
  docker save "$ref" | ctr_ images import - >/dev/null
  listed=$(ctr_ images ls -q)
  grep -qx "$full" <<<"$listed" || die "ctr import did not create $full (images: $(tr '\n' ' ' <<<"$listed"))"
  ctr_ images label "$full" "$LABEL=$id" >/dev/null
  log "image $full loaded (${id:7:12}, $((SECONDS - t0))s)"
done
