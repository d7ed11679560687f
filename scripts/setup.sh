#!/usr/bin/env bash
# The set-up, idempotent (a second run only checks): Debian packages, the Docker engine, Node 22,
# npm dependencies, the offline Pulumi toolchain, the project's images.
#   bash scripts/setup.sh               the Docker side: what `bash scripts/demo.sh` needs
#   bash scripts/setup.sh --kubernetes  also the kubernetes provider and the local cluster's binary
#                                       (what `bash scripts/demo.sh kubernetes` and the test command need)
# Each step prints its duration; a failing step says what to do.
. "$(dirname "$0")/lib/common.sh"
cd "$PODGROUP_ROOT"

# Everything the scripts, the local cluster and the images need from Debian: scripts/packages.sh.
. "$PODGROUP_ROOT/scripts/packages.sh"

# run STEP HINT CMD...: a timed step; on failure, stop with HINT (what to do about it).
run() {
  local name=$1 hint=$2; shift 2
  step "$name" "$@" || die "set-up step '$name' failed. $hint"
}

packages() { ensure_debian_packages "${DEBIAN_PACKAGES[@]}"; }

node22() {
  if [ -x "$NODE_HOME/bin/node" ] && [ "$("$NODE_HOME/bin/node" --version)" = "v$NODE_VERSION" ]; then
    log "Node $NODE_VERSION in the machine cache ($NODE_HOME)"
    return 0
  fi
  # The npm registry ships Node itself as a package; any npm on the machine can fetch it.
  local npm_bin; npm_bin=$(command -v npm) || { log "no npm at all: apt-get install npm"; return 1; }
  "$npm_bin" install --no-audit --no-fund --prefix "$PODGROUP_CACHE/node/$NODE_VERSION" "node@$NODE_VERSION"
  [ "$("$NODE_HOME/bin/node" --version)" = "v$NODE_VERSION" ]
}

# node_modules_current: true when node_modules holds exactly what package-lock.json pins
# (npm's own record of the install, node_modules/.package-lock.json, is compared with it).
node_modules_current() {
  [ -f node_modules/.package-lock.json ] || return 1
  node -e '
    const fs = require("fs");
    const want = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages;
    const have = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages;
    const bad = [];
    for (const [path, p] of Object.entries(want)) {
      if (path === "" || !path.startsWith("node_modules/")) continue;
      const got = have[path];
      // Optional packages for another platform are never installed: that is not a mismatch.
      if (!got) { if (!p.optional) bad.push(`${path} missing`); continue; }
      if (got.version !== p.version) bad.push(`${path} ${got.version} != ${p.version}`);
    }
    for (const path of Object.keys(have)) if (!want[path]) bad.push(`${path} not in package-lock.json`);
    if (bad.length) { console.error(bad.slice(0, 5).join("\n")); process.exit(1); }
  '
}

npm_deps() {
  if node_modules_current; then
    log "node_modules matches package-lock.json"
    return 0
  fi
  npm ci --no-audit --no-fund
}

# What to set up: the Docker side (default: the demo), or also the Kubernetes side (--kubernetes:
# the kubernetes provider plugin and the local cluster's binary; the test command asks for it).
TARGET=docker
case ${1:-} in
  "") ;;
  --kubernetes) TARGET=kubernetes ;;
  *) echo "usage: $0 [--kubernetes]" >&2; exit 2 ;;
esac

t0=$SECONDS
run "Debian packages" "Check that apt can reach Debian's mirror (apt-get update), then re-run." packages
run "Docker engine" "Read $PODGROUP_RUN/engine/dockerd.log; 'bash scripts/engine.sh status' tells what answers." \
  bash scripts/engine.sh start
run "Node $NODE_VERSION" "The npm registry must be reachable (npm ping); or remove $PODGROUP_CACHE/node/$NODE_VERSION and re-run." node22
run "npm dependencies (npm ci)" "Check 'node --version' is v$NODE_VERSION and that npm reaches its registry, then re-run." npm_deps
run "Pulumi toolchain for the $TARGET side" \
  "Read the build log named above (machine cache $PODGROUP_CACHE)." bash scripts/toolchain.sh "$TARGET"
run "images (pause, toolbox, supervisor)" "Is the engine up ('bash scripts/engine.sh status')? Re-run with 'bash scripts/images.sh --force' to see the build." \
  bash scripts/images.sh
if [ "$TARGET" = kubernetes ]; then
  run "Kubernetes binary (local cluster)" \
    "Read the build log named above (machine cache $PODGROUP_CACHE)." bash scripts/cluster/build.sh
fi
log "set-up ($TARGET side) complete in $((SECONDS - t0))s"
