#!/usr/bin/env bash
# The offline Pulumi toolchain, idempotent. Builds or finds only what the command needs:
#   bash scripts/toolchain.sh [docker]   CLI, language host, SDK scripts, docker provider
#                                        (what the Docker stack and `bash scripts/demo.sh` need)
#   bash scripts/toolchain.sh kubernetes the above plus the kubernetes provider (kubernetes stack,
#                                        test command)
# then registers the provider plugins in PULUMI_HOME so the CLI never downloads anything.
#
# Two ways to a toolchain, chosen once per run and printed (PODGROUP_TOOLCHAIN forces one):
#   system  a Pulumi CLI on PATH at least as new as the pinned one, with its language host beside
#           it, and the provider plugins at the versions the npm packages ask for already
#           installed (in PULUMI_HOME or ~/.pulumi) or installable by `pulumi plugin install`;
#           seconds on a machine with internet.
#   build   everything from Go modules (the only source this machine reaches) into the machine
#           cache; a cold build takes minutes (progress every 20 s), a warm run seconds.
#   auto    (default) the machine cache's build when it is complete, else system when it is
#           usable, else build.
#
# Cache layout ($PODGROUP_CACHE, shared by every checkout and CI clone):
#   pulumi/vX.Y.Z/{pulumi,pulumi-language-nodejs,pulumi-resource-pulumi-nodejs}
#   providers/NAME/VERSION/pulumi-resource-NAME
#   logs/BUILD.log
# Versions come from the wrapper modules in scripts/toolchain/*/go.mod (see the comments there
# for what the Go module proxy serves and what it does not).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/go.sh"

TARGET=${1:-docker}
case $TARGET in
  docker | kubernetes) ;;
  *) echo "usage: $0 [docker|kubernetes]" >&2; exit 2 ;;
esac
MODE=${PODGROUP_TOOLCHAIN:-auto}
case $MODE in
  auto | build | system) ;;
  *) die "PODGROUP_TOOLCHAIN is '$MODE': set it to auto, build or system" ;;
esac

TOOLCHAIN=$PODGROUP_ROOT/scripts/toolchain

# The kubernetes provider/v4 commit that toolchain/provider-kubernetes/go.mod pins (2026-01-15)
# came one day before the sdk/v4.25.0 tag: it reports itself as a 4.25.0 pre-release.
KUBERNETES_BUILD_VERSION=4.25.0-alpha.1768448096+f47bc2d6f199

# gomod_version DIR MODULE: the version DIR/go.mod requires of MODULE.
gomod_version() {
  awk -v m="$2" '($1 == m) { print $2 } ($1 == "require" && $2 == m) { print $3 }' "$1/go.mod" | head -n1
}

CLI_VERSION=${PULUMI_CLI_VERSION#v}  # scripts/lib/common.sh reads it from toolchain/pulumi-cli/go.mod
CLI_DIR=$PODGROUP_CACHE/pulumi/v$CLI_VERSION
CLI_LDFLAGS="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$CLI_VERSION"
KUBERNETES_BIN=$PODGROUP_CACHE/providers/kubernetes/$KUBERNETES_BUILD_VERSION/pulumi-resource-kubernetes
DOCKER_WANT=$(npm_plugin_version @pulumi/docker) || die "no @pulumi/docker in node_modules: run npm ci first"
KUBERNETES_WANT=$(npm_plugin_version @pulumi/kubernetes) || die "no @pulumi/kubernetes in node_modules: run npm ci first"

# The plugins this target needs, as "name version" lines.
wanted_plugins() {
  echo "docker $DOCKER_WANT"
  [ "$TARGET" != kubernetes ] || echo "kubernetes $KUBERNETES_WANT"
}

# --- The system path: a Pulumi CLI already on PATH ----------------------------------------------
SYSTEM_CLI=
# find_system_cli: sets SYSTEM_CLI to a pulumi on PATH (not the cache's) at least as new as the
# pinned CLI, with pulumi-language-nodejs beside it; says why not otherwise.
find_system_cli() {
  local p v
  for p in $(type -ap pulumi); do
    [ "$p" != "$CLI_DIR/pulumi" ] || continue
    v=$("$p" version 2>/dev/null) || continue
    v=${v#v}
    if [ "$(printf '%s\n%s\n' "$CLI_VERSION" "$v" | sort -V | head -n1)" != "$CLI_VERSION" ]; then
      log "pulumi on PATH ($p) is v$v, older than v$CLI_VERSION"
      continue
    fi
    if [ ! -x "$(dirname "$p")/pulumi-language-nodejs" ]; then
      log "pulumi on PATH ($p) has no pulumi-language-nodejs beside it"
      continue
    fi
    SYSTEM_CLI=$p
    return 0
  done
  log "no usable Pulumi CLI on PATH"
  return 1
}

# system_plugin NAME VERSION: makes plugin NAME VERSION available to SYSTEM_CLI in PULUMI_HOME:
# already there, registered from ~/.pulumi, or `pulumi plugin install`ed (which needs internet).
system_plugin() {
  local name=$1 version=$2 home_bin
  if "$SYSTEM_CLI" plugin ls --json 2>/dev/null | node -e '
      const [name, version] = process.argv.slice(1);
      const ls = JSON.parse(require("fs").readFileSync(0, "utf8") || "[]");
      process.exit(ls.some((p) => p.kind === "resource" && p.name === name && p.version === version) ? 0 : 1);
    ' "$name" "$version"; then
    log "plugin $name $version already installed in $PULUMI_HOME"
    return 0
  fi
  home_bin=$HOME/.pulumi/plugins/resource-$name-v$version/pulumi-resource-$name
  if [ "$PULUMI_HOME" != "$HOME/.pulumi" ] && [ -x "$home_bin" ]; then
    log "plugin $name $version found in ~/.pulumi"
    "$SYSTEM_CLI" plugin install resource "$name" "$version" --file "$home_bin" --reinstall >&2
    return
  fi
  log "trying: pulumi plugin install resource $name $version"
  timeout "${PODGROUP_PLUGIN_INSTALL_TIMEOUT:-120}" "$SYSTEM_CLI" plugin install resource "$name" "$version" >&2
}

# system_usable: true when the system path can provide everything this target needs.
system_usable() {
  find_system_cli || return 1
  local name version
  while read -r name version; do
    system_plugin "$name" "$version" || { log "plugin $name $version is neither installed nor installable"; return 1; }
  done < <(wanted_plugins)
}

# --- The build path: everything from Go modules into the machine cache --------------------------
cli() {
  go_build_cached "pulumi-v$CLI_VERSION" "$CLI_DIR/pulumi" "$TOOLCHAIN/pulumi-cli" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi -tags osusergo,grpcnotrace -ldflags "$CLI_LDFLAGS"
}

# The project's own language host (upstream's module is not served), built against the CLI's sdk.
language_host() {
  go_build_cached "pulumi-language-nodejs-v$CLI_VERSION" "$CLI_DIR/pulumi-language-nodejs" \
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
  mkdir -p "$CLI_DIR"
  for f in "$dist"/pulumi-*; do
    [ -f "$f" ] || continue
    case $f in *.cmd) continue ;; esac
    install -m 0755 "$f" "$CLI_DIR/.$(basename "$f").tmp.$$"
    mv -f "$CLI_DIR/.$(basename "$f").tmp.$$" "$CLI_DIR/$(basename "$f")"
    copied=$((copied + 1))
  done
  [ "$copied" -gt 0 ] || { log "no scripts found in $dist"; return 1; }
  log "copied $copied script(s) from $dist"
}

kubernetes_provider() {
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
  go_build_cached "pulumi-resource-kubernetes-$KUBERNETES_BUILD_VERSION" "$KUBERNETES_BIN" "$dir" . \
    -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$KUBERNETES_BUILD_VERSION"
}

# pulumi-resource-docker: upstream's provider module is refused by the Go module proxy, so the
# project builds its own (scripts/toolchain/provider-docker/build.sh: caches by source hash, prints
# the binary's path). Sets DOCKER_BIN.
DOCKER_BIN=
docker_provider() {
  DOCKER_BIN=$(bash "$TOOLCHAIN/provider-docker/build.sh" "$DOCKER_WANT") || {
    log "build of pulumi-resource-docker $DOCKER_WANT FAILED (its log is named above)"
    return 1
  }
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
  "$CLI_BIN" plugin install resource "$name" "$version" --file "$bin" --reinstall
  [ -x "$installed" ] || { log "plugin $name $version: nothing at $installed after pulumi plugin install"; return 1; }
}

register_built() {
  register docker "$DOCKER_WANT" "$DOCKER_BIN"
  if [ "$TARGET" = kubernetes ]; then
    if [ "$KUBERNETES_WANT" != "$KUBERNETES_BUILD_VERSION" ]; then
      log "NOTE: @pulumi/kubernetes asks for plugin $KUBERNETES_WANT; registering the provider built from" \
        "provider/v4 $(gomod_version "$TOOLCHAIN/provider-kubernetes" github.com/pulumi/pulumi-kubernetes/provider/v4)" \
        "($KUBERNETES_BUILD_VERSION, the only one the Go module proxy serves) under that version"
    fi
    register kubernetes "$KUBERNETES_WANT" "$KUBERNETES_BIN"
  fi
}

check() {
  local got name version
  got=$("$CLI_BIN" version) || return 1
  log "pulumi: $CLI_BIN ($got)"
  local sdk
  sdk=$(npm_pkg_version @pulumi/pulumi)
  [ "$sdk" = "${got#v}" ] ||
    log "NOTE: node_modules has @pulumi/pulumi $sdk; the CLI is $got"
  local ls; ls=$("$CLI_BIN" plugin ls) || return 1
  printf '%s\n' "$ls" >&2
  while read -r name version; do
    grep -Eq "^$name[[:space:]]+resource[[:space:]]+$version[[:space:]]" <<<"$ls" \
      || { log "plugin $name $version is not listed by 'pulumi plugin ls'"; return 1; }
  done < <(wanted_plugins)
}

t0=$SECONDS
path=build
if [ "$MODE" = system ]; then
  system_usable || die "PODGROUP_TOOLCHAIN=system, but the Pulumi CLI on PATH or its plugins cannot be used (above)"
  path=system
elif [ "$MODE" = auto ] && ! { [ -x "$CLI_DIR/pulumi" ] && [ -x "$CLI_DIR/pulumi-language-nodejs" ]; }; then
  if system_usable; then path=system; else log "falling back to building from Go modules"; fi
fi

if [ "$path" = system ]; then
  CLI_BIN=$SYSTEM_CLI
  log "toolchain path: system (Pulumi CLI on PATH: $SYSTEM_CLI; plugins installed in $PULUMI_HOME)"
else
  CLI_BIN=$CLI_DIR/pulumi
  log "toolchain path: build (from Go modules into $PODGROUP_CACHE; PODGROUP_TOOLCHAIN=system to use a CLI on PATH)"
  log "disk before building: $(df -h "$PODGROUP_CACHE" | awk 'NR == 2 { print $4 " free of " $2 " on " $6 }')"
  step "pulumi CLI v$CLI_VERSION" cli
  step "pulumi-language-nodejs" language_host
  step "Node.js SDK plugin scripts" node_scripts
  step "pulumi-resource-docker $DOCKER_WANT" docker_provider
  [ "$TARGET" != kubernetes ] || step "pulumi-resource-kubernetes $KUBERNETES_BUILD_VERSION" kubernetes_provider
  step "register provider plugins in $PULUMI_HOME" register_built
fi
step "check the toolchain ($TARGET)" check
log "toolchain ($TARGET, path $path) ready in $((SECONDS - t0))s"
