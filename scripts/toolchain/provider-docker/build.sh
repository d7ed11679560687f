#!/usr/bin/env bash
# Builds pulumi-resource-docker (the project's own bridge build of kreuzwerker's Terraform provider,
# see main.go) into $PODGROUP_CACHE/providers/docker/VERSION/, unless a build from the same sources
# is already there. Usage: build.sh [VERSION]  (VERSION: what the binary reports; default 5.2.0,
# the plugin version npm @pulumi/docker 5.2.0 asks for). Prints the binary's path on stdout.
# A cold build (module downloads + compile) takes many minutes: run it with nohup.
. "$(dirname "$0")/../../lib/common.sh"

VERSION=${1:-5.2.0}
DIR=$(cd "$(dirname "$0")" && pwd)
OUT=$PODGROUP_CACHE/providers/docker/$VERSION
BIN=$OUT/pulumi-resource-docker
LOGF=$PODGROUP_CACHE/logs/pulumi-resource-docker-$VERSION.log
mkdir -p "$OUT" "$PODGROUP_CACHE/logs"

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

log "building pulumi-resource-docker $VERSION (log: $LOGF); disk: $(df -h "$PODGROUP_CACHE" | awk 'NR == 2 { print $4 " free" }')"
tmp=$BIN.tmp.$$
t0=$SECONDS
if ! (cd "$DIR" && CGO_ENABLED=0 go build -trimpath -tags no_compose \
  -ldflags "-s -w -X main.version=$VERSION" -o "$tmp" .) >"$LOGF" 2>&1; then
  rm -f "$tmp"
  tail -n 20 "$LOGF" >&2
  die "build of pulumi-resource-docker failed; full log: $LOGF"
fi
chmod 0755 "$tmp"
mv -f "$tmp" "$BIN"
echo "$hash" >"$OUT/source.sha256"
log "built $BIN in $((SECONDS - t0))s"
echo "$BIN"
