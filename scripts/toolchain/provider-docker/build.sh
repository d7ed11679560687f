#!/usr/bin/env bash
# Builds pulumi-resource-docker (the project's own bridge build of kreuzwerker's Terraform provider,
# see main.go) into $PODGROUP_CACHE/providers/docker/VERSION/, unless a build from the same sources
# is already there. Usage: build.sh [VERSION]  (VERSION: what the binary reports; default 5.2.0,
# the plugin version npm @pulumi/docker 5.2.0 asks for). Prints the binary's path on stdout;
# progress and the log's path go to stderr.
. "$(dirname "$0")/../../lib/common.sh"
. "$PODGROUP_ROOT/scripts/lib/go.sh"

VERSION=${1:-5.2.0}
DIR=$(cd "$(dirname "$0")" && pwd)
OUT=$PODGROUP_CACHE/providers/docker/$VERSION
BIN=$OUT/pulumi-resource-docker

# Source hash: everything that goes into the binary, plus the Go toolchain and the version string.
hash=$(cd "$DIR" && {
  go version
  echo "$VERSION"
  find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' -o -name '*.json' \) | LC_ALL=C sort | xargs sha256sum
} | sha256sum | cut -d' ' -f1)

if [ -x "$BIN" ] && [ "$(cat "$OUT/source.sha256" 2>/dev/null)" = "$hash" ]; then
  log "pulumi-resource-docker $VERSION in the machine cache ($BIN)"
  echo "$BIN"
  exit 0
fi

go_build "pulumi-resource-docker-$VERSION" "$BIN" "$DIR" . -tags no_compose \
  -ldflags "-s -w -X main.version=$VERSION" >&2 || die "build of pulumi-resource-docker $VERSION failed (log named above)"
echo "$hash" >"$OUT/source.sha256"
echo "$BIN"
