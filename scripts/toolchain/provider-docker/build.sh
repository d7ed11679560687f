#!/usr/bin/env bash
# Builds pulumi-resource-docker (the project's own bridge build of kreuzwerker's Terraform provider,
# see main.go) into $PODGROUP_CACHE/providers/docker/VERSION/, unless a build from the same sources
# is already there (scripts/lib/go.sh go_build_cached). Usage: build.sh [VERSION]  (VERSION: what the binary reports; default 5.2.0,
# the plugin version npm @pulumi/docker 5.2.0 asks for). Prints the binary's path on stdout;
# progress and the log's path go to stderr.
. "$(dirname "$0")/../../lib/common.sh"
. "$PODGROUP_ROOT/scripts/lib/go.sh"

VERSION=${1:-5.2.0}
DIR=$(cd "$(dirname "$0")" && pwd)
OUT=$PODGROUP_CACHE/providers/docker/$VERSION
BIN=$OUT/pulumi-resource-docker

go_build_cached "pulumi-resource-docker-$VERSION" "$BIN" "$DIR" . -tags no_compose \
  -ldflags "-s -w -X main.version=$VERSION" >&2 || die "build of pulumi-resource-docker $VERSION failed (log named above)"
echo "$BIN"
