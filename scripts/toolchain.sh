#!/usr/bin/env bash
# The offline Pulumi toolchain, idempotent: for each tool, use the machine cache's build of that
# version, else a matching one already on PATH, else build it from Go modules (the only source
# this machine reaches), then register the provider plugins in PULUMI_HOME so the CLI never
# downloads anything. A warm run takes seconds; a cold one tens of minutes (run it with nohup).
#
# Cache layout ($PODGROUP_CACHE, shared by every checkout and CI clone):
#   pulumi/vX.Y.Z/{pulumi,pulumi-language-nodejs,pulumi-resource-pulumi-nodejs}
#   providers/NAME/VERSION/pulumi-resource-NAME
#   logs/BUILD-VERSION.log
# Versions come from the wrapper modules in scripts/toolchain/*/go.mod (see the comments there
# for what the Go module proxy serves and what it does not).
. "$(dirname "$0")/lib/common.sh"

TOOLCHAIN=$PODGROUP_ROOT/scripts/toolchain
LOGS=$PODGROUP_CACHE/logs
mkdir -p "$LOGS"

# The kubernetes provider/v4 commit that toolchain/provider-kubernetes/go.mod pins (2026-01-15)
# came one day before the sdk/v4.25.0 tag: it reports itself as a 4.25.0 pre-release.
KUBERNETES_BUILD_VERSION=4.25.0-alpha.1768448096+f47bc2d6f199

# gomod_version DIR MODULE: the version DIR/go.mod requires of MODULE.
gomod_version() {
  awk -v m="$2" '($1 == m) { print $2 } ($1 == "require" && $2 == m) { print $3 }' "$1/go.mod" | head -n1
}

# go_module_dir WRAPPER MODULE: where the Go module cache holds MODULE (downloaded if needed).
go_module_dir() {
  (cd "$1" && go list -m -f '{{.Dir}}' "$2")
}

# npm_plugin_version PKG: the provider plugin version an installed npm package asks the CLI for.
npm_plugin_version() {
  node -p "const p = require('$PODGROUP_ROOT/node_modules/$1/package.json'); (p.pulumi && p.pulumi.version) || p.version"
}

disk_note_done=
disk_note() {
  [ -n "$disk_note_done" ] && return 0
  disk_note_done=1
  log "disk before building: $(df -h "$PODGROUP_CACHE" | awk 'NR == 2 { print $4 " free of " $2 " on " $6 }')"
}

# go_build NAME DEST WRAPPER_DIR PACKAGE GO_BUILD_ARGS...: builds into a temp file beside DEST and
# moves it into place only when complete, so an interrupted build never looks cached.
go_build() {
  local name=$1 dest=$2 dir=$3 pkg=$4; shift 4
  local logf="$LOGS/$name.log" tmp="$dest.tmp.$$"
  disk_note
  mkdir -p "$(dirname "$dest")"
  log "building $name (log: $logf)"
  if ! (cd "$dir" && CGO_ENABLED=0 go build -trimpath "$@" -o "$tmp" "$pkg") >"$logf" 2>&1; then
    rm -f "$tmp"
    tail -n 20 "$logf" >&2
    log "build of $name FAILED; full log: $logf"
    return 1
  fi
  chmod 0755 "$tmp"
  mv -f "$tmp" "$dest"
}

# --- Pulumi CLI ---------------------------------------------------------------------------------
CLI_VERSION=$(gomod_version "$TOOLCHAIN/pulumi-cli" github.com/pulumi/pulumi/pkg/v3)
CLI_VERSION=${CLI_VERSION#v}
CLI_DIR=$PODGROUP_CACHE/pulumi/v$CLI_VERSION
CLI_LDFLAGS="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$CLI_VERSION"

cli() {
  if [ -x "$CLI_DIR/pulumi" ]; then
    log "pulumi v$CLI_VERSION in the machine cache ($CLI_DIR)"
    return 0
  fi
  local other
  other=$(command -v pulumi || true)
  if [ -n "$other" ] && [ "$("$other" version 2>/dev/null)" = "v$CLI_VERSION" ]; then
    log "using pulumi v$CLI_VERSION found on PATH ($other)"
    mkdir -p "$CLI_DIR"
    cp "$other" "$CLI_DIR/pulumi.tmp.$$" && mv -f "$CLI_DIR/pulumi.tmp.$$" "$CLI_DIR/pulumi"
    return 0
  fi
  go_build "pulumi-v$CLI_VERSION" "$CLI_DIR/pulumi" "$TOOLCHAIN/pulumi-cli" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi -tags osusergo,grpcnotrace -ldflags "$CLI_LDFLAGS"
}

# The project's own language host (upstream's module is not served), built against the CLI's sdk.
language_host() {
  if [ -x "$CLI_DIR/pulumi-language-nodejs" ]; then
    log "pulumi-language-nodejs in the machine cache"
    return 0
  fi
  go_build "pulumi-language-nodejs-v$CLI_VERSION" "$CLI_DIR/pulumi-language-nodejs" \
    "$TOOLCHAIN/language-nodejs" . -ldflags "-s -w -X main.version=$CLI_VERSION"
}

# Plugins the Node.js SDK expects beside the CLI: shell scripts shipped in the sdk/v3 module zip
# under nodejs/dist/ (today only pulumi-resource-pulumi-nodejs, the dynamic-provider host).
node_scripts() {
  local dist f copied=0
  if [ -x "$CLI_DIR/pulumi-resource-pulumi-nodejs" ]; then
    log "Node.js SDK scripts in the machine cache"
    return 0
  fi
  dist=$(go_module_dir "$TOOLCHAIN/pulumi-cli" github.com/pulumi/pulumi/sdk/v3) || return 1
  dist=$dist/nodejs/dist
  for f in "$dist"/pulumi-*; do
    case $f in *.cmd) continue ;; esac
    install -m 0755 "$f" "$CLI_DIR/.$(basename "$f").tmp.$$"
    mv -f "$CLI_DIR/.$(basename "$f").tmp.$$" "$CLI_DIR/$(basename "$f")"
    copied=$((copied + 1))
  done
  [ "$copied" -gt 0 ] || { log "no scripts found in $dist"; return 1; }
  log "copied $copied script(s) from $dist"
}

# --- Provider plugins ---------------------------------------------------------------------------
KUBERNETES_BIN=$PODGROUP_CACHE/providers/kubernetes/$KUBERNETES_BUILD_VERSION/pulumi-resource-kubernetes

kubernetes_provider() {
  if [ -x "$KUBERNETES_BIN" ]; then
    log "pulumi-resource-kubernetes $KUBERNETES_BUILD_VERSION in the machine cache"
    return 0
  fi
  local dir=$TOOLCHAIN/provider-kubernetes src
  src=$(go_module_dir "$dir" github.com/pulumi/pulumi-kubernetes/provider/v4) || return 1
  src=$src/cmd/pulumi-resource-kubernetes
  # What upstream's `go generate` writes: schema.json with "version" set, both files minified.
  node -e '
    const fs = require("fs");
    const [src, dir, version] = process.argv.slice(1);
    const schema = JSON.parse(fs.readFileSync(`${src}/schema.json`, "utf8"));
    schema.version = version;
    fs.writeFileSync(`${dir}/schema-embed.json`, JSON.stringify(schema));
    const mapping = JSON.parse(fs.readFileSync(`${src}/terraform-mapping.json`, "utf8"));
    fs.writeFileSync(`${dir}/terraform-mapping-embed.json`, JSON.stringify(mapping));
  ' "$src" "$dir" "$KUBERNETES_BUILD_VERSION" || return 1
  go_build "pulumi-resource-kubernetes-$KUBERNETES_BUILD_VERSION" "$KUBERNETES_BIN" "$dir" . \
    -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$KUBERNETES_BUILD_VERSION"
}

# pulumi-resource-docker: upstream's provider module is refused by the Go module proxy, so the
# project builds its own (scripts/toolchain/provider-docker/build.sh: caches by source hash, prints
# the binary's path, names its own log when it fails). Sets DOCKER_BIN.
DOCKER_BIN=
docker_provider() {
  local build=$TOOLCHAIN/provider-docker/build.sh want
  [ -d "$PODGROUP_ROOT/node_modules/@pulumi/docker" ] || { log "no @pulumi/docker in node_modules"; return 0; }
  want=$(npm_plugin_version @pulumi/docker) || return 1
  if [ ! -f "$build" ]; then
    log "WARNING: no $build: no pulumi-resource-docker $want; @pulumi/docker resources will fail"
    return 0
  fi
  DOCKER_BIN=$(bash "$build" "$want") || { log "build of pulumi-resource-docker $want FAILED (its log is named above)"; return 1; }
}

# register NAME VERSION BINARY: installs BINARY into PULUMI_HOME as resource plugin NAME VERSION,
# unless the same file is already registered there.
register() {
  local name=$1 version=$2 bin=$3
  local installed=$PULUMI_HOME/plugins/resource-$name-v$version/pulumi-resource-$name
  if [ -f "$installed" ] && cmp -s "$installed" "$bin"; then
    log "plugin $name $version registered in $PULUMI_HOME"
    return 0
  fi
  "$CLI_DIR/pulumi" plugin install resource "$name" "$version" --file "$bin" --reinstall
}

providers() {
  local want
  want=$(npm_plugin_version @pulumi/kubernetes) || return 1
  if [ "$want" != "$KUBERNETES_BUILD_VERSION" ]; then
    log "NOTE: @pulumi/kubernetes asks for plugin $want; registering the provider built from" \
      "provider/v4 $(gomod_version "$TOOLCHAIN/provider-kubernetes" github.com/pulumi/pulumi-kubernetes/provider/v4)" \
      "($KUBERNETES_BUILD_VERSION, the only one the Go module proxy serves) under that version"
  fi
  register kubernetes "$want" "$KUBERNETES_BIN"

  if [ -n "$DOCKER_BIN" ]; then
    register docker "$(npm_plugin_version @pulumi/docker)" "$DOCKER_BIN"
  fi
}

check() {
  local got
  got=$("$CLI_DIR/pulumi" version) || return 1
  [ "$got" = "v$CLI_VERSION" ] || { log "pulumi version says $got, expected v$CLI_VERSION"; return 1; }
  local sdk
  sdk=$(npm_pkg_version @pulumi/pulumi)
  [ "$sdk" = "$CLI_VERSION" ] ||
    log "NOTE: node_modules has @pulumi/pulumi $sdk; the CLI is v$CLI_VERSION (the newest pkg/v3 the Go module proxy serves)"
  "$CLI_DIR/pulumi" plugin ls
}

t0=$SECONDS
step "pulumi CLI v$CLI_VERSION" cli
step "pulumi-language-nodejs" language_host
step "Node.js SDK plugin scripts" node_scripts
step "pulumi-resource-kubernetes $KUBERNETES_BUILD_VERSION" kubernetes_provider
step "pulumi-resource-docker" docker_provider
step "register provider plugins in $PULUMI_HOME" providers
step "check the toolchain" check
log "toolchain ready in $((SECONDS - t0))s: $CLI_DIR is on PATH through scripts/lib/common.sh"
