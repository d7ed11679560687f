# Shared by every script: paths, versions, the offline Pulumi environment, step timing.
# Source it: `. "$(dirname "$0")/lib/common.sh"` (from scripts/).
set -euo pipefail

PODGROUP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Machine-level cache of built tools, keyed by version, shared by every checkout (CI clones too).
PODGROUP_CACHE=${PODGROUP_CACHE:-/var/cache/podgroup}
# Where this checkout's runtime state lives (logs, pid files); never committed.
PODGROUP_RUN=${PODGROUP_RUN:-$PODGROUP_ROOT/.state}
NODE_VERSION=22.23.3
NODE_HOME=$PODGROUP_CACHE/node/$NODE_VERSION/node_modules/node

export PODGROUP_ROOT PODGROUP_CACHE PODGROUP_RUN
export PATH="$NODE_HOME/bin:$PATH"
# The Pulumi CLI, its Node.js language host and SDK scripts, built by scripts/toolchain.sh into a
# directory keyed by the CLI version that scripts/toolchain/pulumi-cli/go.mod pins.
PULUMI_CLI_VERSION=$(awk '($1 == "github.com/pulumi/pulumi/pkg/v3") { print $2 }
  ($1 == "require" && $2 == "github.com/pulumi/pulumi/pkg/v3") { print $3 }' \
  "$PODGROUP_ROOT/scripts/toolchain/pulumi-cli/go.mod" 2>/dev/null | head -n1)
[ -n "$PULUMI_CLI_VERSION" ] || { echo "no pulumi/pkg/v3 version in scripts/toolchain/pulumi-cli/go.mod" >&2; exit 1; }
# PODGROUP_TOOLCHAIN=system: use the Pulumi CLI already on PATH even when the cache has a build.
if [ "${PODGROUP_TOOLCHAIN:-auto}" != system ]; then
  export PATH="$PODGROUP_CACHE/pulumi/v${PULUMI_CLI_VERSION#v}:$PATH"
fi

# Pulumi, offline: plugins registered in a machine-level home, local file backend per checkout.
export PULUMI_HOME=${PULUMI_HOME:-$PODGROUP_CACHE/pulumi-home}
export PULUMI_BACKEND_URL=${PULUMI_BACKEND_URL:-file://$PODGROUP_RUN/backend}
export PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE-podgroup-local-stacks}
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=${PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK:-false}

# A command started with `&` by a non-interactive shell (a CI runner, `nohup ... &`) ignores
# SIGINT and SIGQUIT, and the ignore is inherited. The Pulumi CLI stops its language host with
# SIGINT and waits 5 s before killing it: every `pulumi` command of a script run that way took
# 5 s longer (a no-op `pulumi up` 6.5 s instead of 1.8 s). The CLI gets the default dispositions
# (a script that runs it through `env` passes PULUMI_SIGNALS to env).
# (GNU env 8.31 or later; without it the dispositions stay as they are.)
if env --default-signal=INT true 2>/dev/null; then PULUMI_SIGNALS=(--default-signal=INT,QUIT); else PULUMI_SIGNALS=(); fi
pulumi() { env "${PULUMI_SIGNALS[@]}" pulumi "$@"; }

mkdir -p "$PODGROUP_RUN"
# The file backend must exist before any `pulumi` call (a fresh clone has none).
case $PULUMI_BACKEND_URL in file://*) mkdir -p "${PULUMI_BACKEND_URL#file://}" ;; esac

log() { printf '[podgroup %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[podgroup] ERROR: %s\n' "$*" >&2; exit 1; }

# detach LOG CMD...: starts CMD as a daemon: its own session, stdin from /dev/null, output
# appended to LOG, and no other file descriptor of this shell (a daemon that inherited, say, the
# lock of a `flock` around the calling command, or the pipe of a CI log, would hold it for its
# whole life). Sets DETACHED_PID.
detach() {
  local logf=$1; shift
  (
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec setsid "$@"
  ) >>"$logf" 2>&1 </dev/null &
  DETACHED_PID=$!
}

# step NAME CMD...: runs CMD, prints how long it took, and on failure says which step failed.
step() {
  local name=$1; shift
  local t0=$SECONDS
  log "-> $name"
  if "$@"; then
    log "ok $name ($((SECONDS - t0))s)"
  else
    local rc=$?
    log "FAILED $name after $((SECONDS - t0))s (exit $rc)"
    return "$rc"
  fi
}

# npm_pkg_version PKG: the version of an installed npm package of this checkout.
npm_pkg_version() {
  node -p "require('$PODGROUP_ROOT/node_modules/$1/package.json').version"
}

# npm_plugin_version PKG: the provider plugin version an installed npm package asks the CLI for.
npm_plugin_version() {
  node -p "const p = require('$PODGROUP_ROOT/node_modules/$1/package.json'); (p.pulumi && p.pulumi.version) || p.version"
}

# image_ref NAME: the image reference of one of the project's images (images/images.json).
image_ref() {
  node -p "require('$PODGROUP_ROOT/images/images.json')['$1']"
}
