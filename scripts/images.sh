#!/usr/bin/env bash
# Builds the project's images (images/pause, images/toolbox, and any images/*/build.sh) with
# `docker build`, no registry.
# Tags come from images/images.json. Each image carries the contract's source-hash label (a hash
# of its sources and build inputs, scripts/image-hash.sh): when an image with that tag and hash
# exists, it is not rebuilt. Prints the size of each image at the end.
# Usage: bash scripts/images.sh [--force | --inputs]
#   --inputs  prepare every build context (compile the pause, assemble the toolbox, go build the
#             supervisor) without docker: what the cold rehearsal checks (scripts/rehearse-cold.sh)
. "$(dirname "$0")/lib/common.sh"
. "$PODGROUP_ROOT/scripts/image-hash.sh"
SELF=$(realpath "$0")
cd "$PODGROUP_ROOT"

WORK=$PODGROUP_RUN/images
FORCE=${1:-}
# Static musl binary, as small as the toolchain makes it: drop unused sections, unwind
# tables and the build id; -s strips the symbols; noseparate-code and norelro stop the linker
# from padding each segment to its own 4 KiB page (13 KiB -> 5 KiB for this tiny program,
# which has no dynamic relocations for RELRO to protect).
PAUSE_CFLAGS=(-static -Os -s -Wall -Wextra -Werror -ffunction-sections -fdata-sections
  -fno-asynchronous-unwind-tables -Wl,--gc-sections -Wl,--build-id=none
  -Wl,-z,noseparate-code -Wl,-z,norelro)

case $FORCE in "" | --force | --inputs) ;; *) echo "usage: $0 [--force | --inputs]" >&2; exit 2 ;; esac
if [ "$FORCE" != --inputs ]; then
  command -v docker >/dev/null || die "no docker CLI on PATH: run 'bash scripts/setup.sh'"
  docker info >/dev/null 2>&1 || die "no Docker engine answers: run 'bash scripts/engine.sh start'"
fi

# up_to_date REF HASH: true when REF exists with that source hash (and not --force / --inputs).
up_to_date() { [ -z "$FORCE" ] && image_current "$1" "$2"; }

# build REF HASH CONTEXT: docker build of a prepared context, labelled with its source hash.
build() {
  local ref=$1 hash=$2 ctx=$3
  if [ "$FORCE" = --inputs ]; then
    log "$ref: build context ready in $ctx ($(find "$ctx" -type f | wc -l) files; --inputs: no docker build)"
    return 0
  fi
  # No buildx plugin here: the CLI falls back to the classic builder, which needs no registry
  # for FROM scratch. Its deprecation notice is noise: keep only errors and the result line.
  if ! DOCKER_BUILDKIT=0 docker build --quiet --label "$HASH_LABEL=$hash" \
      --label "org.opencontainers.image.title=${ref%%:*}" --label "org.opencontainers.image.version=${ref##*:}" \
      -t "$ref" "$ctx" >"$ctx.build.log" 2>&1; then
    cat "$ctx.build.log" >&2
    die "docker build of $ref failed (output above, context $ctx)"
  fi
  log "built $ref (source hash $hash)"
  # The image this build replaced is now untagged: drop such leftovers of our own builds only.
  docker image prune -f --filter "label=$HASH_LABEL" >/dev/null
}

build_pause() {
  local ref version hash ctx=$WORK/pause
  ref=$(image_ref pause); version=${ref##*:}
  command -v musl-gcc >/dev/null || die "musl-gcc missing: apt-get install musl-tools (or run scripts/setup.sh)"
  hash=$(source_hash images/pause "$version" "${PAUSE_CFLAGS[*]}" "$(musl-gcc --version | head -1)" "$(sha256sum <"$SELF")")
  if up_to_date "$ref" "$hash"; then log "$ref is up to date (source hash $hash)"; return 0; fi
  rm -rf "$ctx"; mkdir -p "$ctx"
  musl-gcc "${PAUSE_CFLAGS[@]}" -DPAUSE_VERSION="\"$version\"" -o "$ctx/pause" images/pause/pause.c
  cp images/pause/Dockerfile "$ctx/"
  build "$ref" "$hash" "$ctx"
}

build_toolbox() {
  local ref hash ctx=$WORK/toolbox busybox=/bin/busybox applet
  ref=$(image_ref toolbox)
  # Not `--list | grep -q`: under pipefail, grep quitting early makes busybox die of SIGPIPE.
  [ -x "$busybox" ] && [[ $'\n'$("$busybox" --list)$'\n' == *$'\n'httpd$'\n'* ]] \
    || die "$busybox is missing or not the full static busybox: apt-get install busybox-static"
  hash=$(source_hash images/toolbox "$(sha256sum "$busybox")" "$(sha256sum <"$SELF")")
  if up_to_date "$ref" "$hash"; then log "$ref is up to date (source hash $hash)"; return 0; fi
  rm -rf "$ctx"; mkdir -p "$ctx"
  cp -a images/toolbox/rootfs "$ctx/rootfs"
  cp images/toolbox/Dockerfile "$ctx/"
  mkdir -p "$ctx/rootfs/bin" "$ctx/rootfs/tmp" "$ctx/rootfs/root"
  chmod 1777 "$ctx/rootfs/tmp"
  cp "$busybox" "$ctx/rootfs/bin/busybox"
  # Every applet, as a relative symlink: tests may use any of them (sh, ps, pidof, httpd, wget, nc...).
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$ctx/rootfs/bin/$applet"
  done
  build "$ref" "$hash" "$ctx"
}

build_pause
build_toolbox
# Images that carry their own build script (images/supervisor/build.sh: a Go build) build themselves.
for script in images/*/build.sh; do
  [ -f "$script" ] || continue
  bash "$script" $FORCE || die "$script failed"
done

[ "$FORCE" != --inputs ] || exit 0
for name in $(node -p "Object.keys(require('./images/images.json')).join(' ')"); do
  ref=$(image_ref "$name")
  log "$(docker image inspect "$ref" --format "$ref {{.Size}} bytes ({{.Id}})")"
done
