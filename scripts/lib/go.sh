# Go builds for every script (toolchain, docker provider, Kubernetes binary, supervisor image).
# Source after scripts/lib/common.sh. Two rules, both for a machine where nothing ran before:
#   - a module's directory is only ever read after `go mod download` put it there (`go list -m`
#     prints an empty line, exit 0, for a module not in the module cache yet);
#   - every long step prints a line every PODGROUP_PROGRESS_SECONDS (default 20) seconds with the
#     elapsed time and what it has done so far.
#
# Rehearsal (scripts/rehearse-cold.sh): with PODGROUP_REHEARSE_FROM=<a warm machine cache>,
# go_build resolves every package of the build against the (empty) module cache exactly as the
# real build does, but takes the compiled binary from that warm cache instead of compiling.

. "$PODGROUP_ROOT/scripts/lib/hash.sh"
PODGROUP_PROGRESS_SECONDS=${PODGROUP_PROGRESS_SECONDS:-20}

# go_module_dir WRAPPER MODULE: downloads MODULE at the version WRAPPER's go.mod selects and prints
# the directory the module cache holds it in. Fails, naming the module, on any empty answer.
go_module_dir() {
  local wrapper=$1 module=$2 json dir
  if ! json=$(cd "$wrapper" && go mod download -json "$module" 2>&1); then
    printf '%s\n' "$json" >&2
    log "go mod download $module (module $wrapper) failed: is the Go module proxy reachable ($(go env GOPROXY))?"
    return 1
  fi
  dir=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -n1)
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    printf '%s\n' "$json" >&2
    log "go mod download $module gave no module directory (got '${dir}'); GOMODCACHE=$(go env GOMODCACHE)"
    return 1
  fi
  printf '%s\n' "$dir"
}

# with_progress LABEL STATUS_FN CMD...: runs CMD; every PODGROUP_PROGRESS_SECONDS prints
# "LABEL: <elapsed>, <what STATUS_FN prints>". Returns CMD's exit code.
with_progress() {
  local label=$1 status_fn=$2; shift 2
  local t0=$SECONDS next=$((SECONDS + PODGROUP_PROGRESS_SECONDS)) rc=0 pid
  "$@" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    if (( SECONDS >= next )); then
      log "$label: $(elapsed $((SECONDS - t0))), $("$status_fn" 2>/dev/null || echo '?')"
      next=$((SECONDS + PODGROUP_PROGRESS_SECONDS))
    fi
    sleep 1
  done
  wait "$pid" || rc=$?
  return "$rc"
}

# elapsed SECONDS: "5m07s".
elapsed() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# Status lines for with_progress (they read _GO_LOG and _GO_TOTAL set by go_build).
_go_download_status() {
  printf 'downloading and resolving modules (module cache %s)' \
    "$(du -sh "$(go env GOMODCACHE)/cache/download" 2>/dev/null | cut -f1 || echo empty)"
}
_go_compile_status() {
  printf '%s of %s packages compiled' "$(grep -vc '^#' "$_GO_LOG" 2>/dev/null || echo 0)" "$_GO_TOTAL"
}
_go_list_deps() { (cd "$1" && CGO_ENABLED=0 go list -deps "$2" >"$3" 2>&1); }
_go_compile() {
  local dir=$1 out=$2 pkg=$3; shift 3
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -buildvcs=false" go build -v -trimpath "$@" -o "$out" "$pkg") >"$_GO_LOG" 2>&1
}

# go_source_hash DIR EXTRA...: what a build of the Go module in DIR depends on: every .go file but
# tests, go.mod, go.sum, committed .json files (not the *-embed.json a build step writes), the Go
# version and EXTRA (package, flags, version strings).
go_source_hash() {
  local dir=$1; shift
  local SOURCE_HASH_FIND=(\( -name '*.go' ! -name '*_test.go' -o -name go.mod -o -name go.sum -o -name '*.json' ! -name '*-embed.json' \))
  source_hash "$dir" "$(go version)" "$@"
}

# go_build_cached NAME DEST DIR PKG GO_BUILD_ARGS...: go_build, unless DEST was built from the same
# sources (DEST.source-hash holds go_source_hash of the last build). Editing the module rebuilds.
go_build_cached() {
  local name=$1 dest=$2 dir=$3 pkg=$4; shift 4
  local want; want=$(go_source_hash "$dir" "$pkg" "$@")
  if [ -x "$dest" ] && [ "$(cat "$dest.source-hash" 2>/dev/null)" = "$want" ]; then
    log "$name in the machine cache ($dest)"
    return 0
  fi
  [ ! -e "$dest" ] || log "$name: the cached build is from other sources: rebuilding"
  go_build "$name" "$dest" "$dir" "$pkg" "$@" || return 1
  echo "$want" >"$dest.source-hash"
}

# go_build NAME DEST DIR PKG GO_BUILD_ARGS...: builds PKG of the module in DIR into DEST (log:
# $PODGROUP_CACHE/logs/NAME.log). First resolves every package (downloading modules), then
# compiles with progress; writes a temp file beside DEST and moves it into place only when
# complete, so an interrupted build never looks cached.
go_build() {
  local name=$1 dest=$2 dir=$3 pkg=$4; shift 4
  local logs=$PODGROUP_CACHE/logs tmp="$dest.tmp.$$" t0=$SECONDS
  mkdir -p "$logs" "$(dirname "$dest")"
  _GO_LOG=$logs/$name.log
  local deps=$logs/$name.deps
  log "$name: resolving packages (log: $deps)"
  if ! with_progress "$name" _go_download_status _go_list_deps "$dir" "$pkg" "$deps"; then
    tail -n 20 "$deps" >&2
    log "$name: resolving its packages FAILED (full output: $deps)"
    return 1
  fi
  _GO_TOTAL=$(grep -c . "$deps")
  if [ -n "${PODGROUP_REHEARSE_FROM:-}" ]; then
    # Rehearsal: every input resolved above; the binary itself comes from the warm cache.
    local warm=$PODGROUP_REHEARSE_FROM${dest#"$PODGROUP_CACHE"}
    [ -x "$warm" ] || { log "$name: rehearsal has no warm binary at $warm"; return 1; }
    cp "$warm" "$tmp" && mv -f "$tmp" "$dest"
    log "$name: $_GO_TOTAL packages resolve on an empty module cache (rehearsal: binary copied from $warm)"
    return 0
  fi
  log "$name: compiling $_GO_TOTAL packages (log: $_GO_LOG)"
  if ! with_progress "$name" _go_compile_status _go_compile "$dir" "$tmp" "$pkg" "$@"; then
    rm -f "$tmp"
    tail -n 20 "$_GO_LOG" >&2
    log "$name: build FAILED after $(elapsed $((SECONDS - t0))); full log: $_GO_LOG"
    return 1
  fi
  chmod 0755 "$tmp"
  mv -f "$tmp" "$dest"
  log "$name: built in $(elapsed $((SECONDS - t0))) ($(du -h "$dest" | cut -f1))"
}
