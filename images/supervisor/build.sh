#!/usr/bin/env bash
# Builds the supervisor image (tag: images/images.json "supervisor") without a registry:
# `go build` of supervisor/ as a static binary (CGO_ENABLED=0), then `docker build` of a FROM
# scratch image holding only that binary. Skips the build when an image with that tag and
# the same source hash exists (scripts/image-hash.sh). Prints the image size.
# Usage: bash images/supervisor/build.sh [--force | --inputs]  (--inputs: the go build only)
. "$(dirname "$0")/../../scripts/lib/common.sh"
. "$PODGROUP_ROOT/scripts/lib/go.sh"
. "$PODGROUP_ROOT/scripts/image-hash.sh"
SELF=$(realpath "$0")
cd "$PODGROUP_ROOT"

CTX=$PODGROUP_RUN/images/supervisor
FORCE=${1:-}

command -v go >/dev/null || die "no go on PATH (Go 1.26 is needed to build the supervisor)"
[ "$FORCE" = --inputs ] || docker info >/dev/null 2>&1 || die "no Docker engine answers: run 'bash scripts/engine.sh start'"

ref=$(image_ref supervisor)
version=${ref##*:}
# The Go sources that go into the binary (not its tests), the Dockerfile, this script, Go, the tag.
SOURCE_HASH_FIND=(\( -name '*.go' -o -name go.mod -o -name go.sum \) ! -name '*_test.go')
hash=$(source_hash supervisor "$(sha256sum <images/supervisor/Dockerfile)" "$(sha256sum <"$SELF")" "$(go version)" "$version")

if [ -z "$FORCE" ] && image_current "$ref" "$hash"; then
  log "$ref is up to date (source hash $hash)"
else
  rm -rf "$CTX"; mkdir -p "$CTX"
  # Static, stripped, no VCS stamping (CI clones may lack .git metadata).
  go_build "podgroup-supervisor-$version" "$CTX/podgroup-supervisor" "$PODGROUP_ROOT/supervisor" ./cmd/podgroup-supervisor \
    -ldflags "-s -w -X main.version=$version" || die "go build of the supervisor failed (log named above)"
  cp images/supervisor/Dockerfile "$CTX/"
  if [ "$FORCE" = --inputs ]; then
    log "$ref: build context ready in $CTX (--inputs: no docker build)"
    exit 0
  fi
  if ! DOCKER_BUILDKIT=0 docker build --quiet --label "$HASH_LABEL=$hash" \
      --label "org.opencontainers.image.source=podgroup" -t "$ref" "$CTX" >"$CTX.build.log" 2>&1; then
    cat "$CTX.build.log" >&2
    die "docker build of $ref failed (output above, context $CTX)"
  fi
  docker image prune -f --filter "label=$HASH_LABEL" >/dev/null
  log "built $ref (source hash $hash)"
fi
log "$(docker image inspect "$ref" --format "$ref {{.Size}} bytes ({{.Id}})")"
