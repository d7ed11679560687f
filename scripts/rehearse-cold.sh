#!/usr/bin/env bash
# The fresh-machine rehearsal (part of the test command): runs set-up's steps against EMPTY
# temporary GOMODCACHE, GOCACHE, PODGROUP_CACHE, PULUMI_HOME and HOME, so that a step which only
# works because an earlier run left something behind (a module in the module cache, a plugin in
# PULUMI_HOME, a build context) fails here instead of on a user's first try. Minutes, not an hour:
#   - the toolchain (CLI, language host, SDK scripts, both providers) and the Kubernetes binary:
#     every module directory read and every package of every build resolved on the empty module
#     cache; the long compiles are not repeated (each binary comes from the warm machine cache,
#     PODGROUP_REHEARSE_FROM), the plugins are registered and checked in the empty PULUMI_HOME;
#   - one build for real on the empty caches (the supervisor), and every image's build context;
#   - the system path: a Pulumi CLI on PATH with its plugins in ~/.pulumi is used, nothing built;
#     without installable plugins set-up falls back to building;
#   - the local cluster's certificates and kubeconfigs, made in an empty state directory.
# Modules come from the warm module cache served as a file proxy first, then the usual proxy, so
# the empty module cache is filled the way a fresh machine fills it, only faster.
# Usage: bash scripts/rehearse-cold.sh [CASE...]   (default: every case; needs a warm set-up:
#        bash scripts/setup.sh --kubernetes)
. "$(dirname "$0")/lib/common.sh"
cd "$PODGROUP_ROOT"

WARM_CACHE=$PODGROUP_CACHE
WARM_MODCACHE=$(go env GOMODCACHE)
[ -x "$WARM_CACHE/pulumi/v${PULUMI_CLI_VERSION#v}/pulumi" ] \
  || die "the rehearsal copies compiled binaries from a warm set-up: run 'bash scripts/setup.sh --kubernetes' first"

TMP=$(mktemp -d /var/tmp/podgroup-rehearsal.XXXXXX)
# PODGROUP_REHEARSE_KEEP=1 keeps the case logs and caches for a look.
cleanup() {
  if [ "${PODGROUP_REHEARSE_KEEP:-}" = 1 ]; then log "rehearsal kept in $TMP"; return; fi
  chmod -R u+w "$TMP" 2>/dev/null || true; rm -rf "$TMP"
}
trap cleanup EXIT
failures=()

# cold_env: the empty caches (fresh for each case).
cold_env() {
  local case_dir=$TMP/$1
  mkdir -p "$case_dir"/{gomodcache,gocache,cache,pulumi-home,home,run}
  GOMODCACHE=$case_dir/gomodcache GOCACHE=$case_dir/gocache \
  PODGROUP_CACHE=$case_dir/cache PULUMI_HOME=$case_dir/pulumi-home HOME=$case_dir/home \
  PODGROUP_RUN=$case_dir/run PULUMI_BACKEND_URL=file://$case_dir/run/backend \
  GOPROXY="file://$WARM_MODCACHE/cache/download,$(go env GOPROXY)" GOFLAGS="-modcacherw -buildvcs=false" \
    "${@:2}"
}

# check NAME CMD...: runs one rehearsal case, keeps its output in $TMP/NAME.log, prints a verdict.
check() {
  local name=$1; shift
  local t0=$SECONDS
  log "rehearsal: $name"
  if "$@" >"$TMP/$name.log" 2>&1; then
    log "rehearsal: ok $name ($((SECONDS - t0))s)"
  else
    tail -n 25 "$TMP/$name.log" >&2
    log "rehearsal: FAILED $name after $((SECONDS - t0))s (output above)"
    failures+=("$name")
  fi
}

# 1. The build path of the whole toolchain, on empty caches.
toolchain_build() {
  cold_env toolchain env PODGROUP_TOOLCHAIN=build PODGROUP_REHEARSE_FROM="$WARM_CACHE" \
    bash scripts/toolchain.sh kubernetes
}
# 2. The Kubernetes binary: every package of k8s.io/kubernetes resolved on an empty module cache.
kubernetes_build() {
  cold_env kubernetes env PODGROUP_REHEARSE_FROM="$WARM_CACHE" bash scripts/cluster/build.sh
}
# 3. Image build contexts, with the supervisor compiled for real on empty Go caches.
images_inputs() {
  cold_env images bash scripts/images.sh --inputs
}
# 4. The system path: a CLI on PATH (a copy of the cache's, standing in for an installed Pulumi)
#    with both plugins in ~/.pulumi: used as it is, nothing is built.
system_path() {
  local d=$TMP/system cli_dir=$WARM_CACHE/pulumi/v${PULUMI_CLI_VERSION#v} name version
  mkdir -p "$d/bin" "$d/home/.pulumi/plugins"
  cp "$cli_dir"/pulumi* "$d/bin/"
  while read -r name version; do
    mkdir -p "$d/home/.pulumi/plugins/resource-$name-v$version"
    cp "$PULUMI_HOME/plugins/resource-$name-v$version/pulumi-resource-$name" "$d/home/.pulumi/plugins/resource-$name-v$version/"
  done < <(installed_plugins)
  cold_env system env PATH="$d/bin:$PATH" bash scripts/toolchain.sh kubernetes || return 1
  [ ! -e "$d/cache/pulumi" ] || { echo "the system path built or copied a CLI into the cache"; return 1; }
  [ ! -e "$d/cache/logs" ] || { echo "the system path ran a Go build: $(ls "$d/cache/logs")"; return 1; }
}
# 5. A CLI on PATH whose plugins are neither installed nor installable (no internet here): set-up
#    says so and falls back to building (stopped right after it decided, by an unusable module proxy).
system_fallback() {
  local d=$TMP/fallback cli_dir=$WARM_CACHE/pulumi/v${PULUMI_CLI_VERSION#v}
  mkdir -p "$d/bin"
  cp "$cli_dir"/pulumi* "$d/bin/"
  ! cold_env fallback env PATH="$d/bin:$PATH" GOPROXY=off PODGROUP_PLUGIN_INSTALL_TIMEOUT=60 \
    bash scripts/toolchain.sh docker
}

# 6. The local cluster's certificates and kubeconfigs, made from nothing (a state directory of
#    its own; no cluster is started).
cluster_certs() {
  local state=$TMP/certs/state
  cold_env certs env PODGROUP_CLUSTER_STATE="$state" bash scripts/cluster/certs.sh || return 1
  openssl verify -CAfile "$state/pki/ca.crt" "$state/pki/apiserver.crt" "$state/pki/admin.crt" || return 1
  grep -q 'client-certificate' "$state/admin.kubeconfig" || { echo "no admin.kubeconfig written"; return 1; }
}

installed_plugins() {
  printf 'docker %s\nkubernetes %s\n' "$(npm_plugin_version @pulumi/docker)" "$(npm_plugin_version @pulumi/kubernetes)"
}

CASES=(toolchain-build kubernetes-build images-inputs system-path system-fallback cluster-certs)
[ $# -eq 0 ] || CASES=("$@")
t0=$SECONDS
for c in "${CASES[@]}"; do
  fn=${c//-/_}
  declare -F "$fn" >/dev/null || die "no rehearsal case '$c' (cases: toolchain-build kubernetes-build images-inputs system-path system-fallback cluster-certs)"
  check "$c" "$fn"
done
if [ -f "$TMP/system-path.log" ] && ! grep -q 'toolchain path: system' "$TMP/system-path.log"; then
  failures+=("system-path (no 'toolchain path: system' line)")
fi
if [ -f "$TMP/system-fallback.log" ] && ! grep -q 'falling back to building from Go modules' "$TMP/system-fallback.log"; then
  failures+=("system-fallback (no fallback line)")
fi
if [ ${#failures[@]} -gt 0 ]; then
  die "fresh-machine rehearsal failed after $((SECONDS - t0))s: ${failures[*]}"
fi
log "fresh-machine rehearsal passed in $((SECONDS - t0))s (${#CASES[@]} cases on empty caches)"
