# Sourced (after scripts/lib/common.sh) by scripts/images.sh and images/*/build.sh: the one way
# to hash an image's build inputs and to tell whether the image with that hash is there. Images
# carry the hash in the contract's source-hash label (contract/docker-contract.json).
. "$PODGROUP_ROOT/scripts/contract.sh"
HASH_LABEL=$CONTRACT_LABELS_SOURCE_HASH

# source_hash DIR [EXTRA...]: 16 hex digits of sha256 over the files of DIR (relative path and
# content) and the EXTRA strings, one a line. With the array SOURCE_HASH_FIND set, only the files
# those find(1) tests select (e.g. (-name '*.go' ! -name '*_test.go')).
source_hash() {
  local dir=$1; shift
  local select=(-type f)
  [ -z "${SOURCE_HASH_FIND+x}" ] || select=(-type f "${SOURCE_HASH_FIND[@]}")
  {
    (cd "$dir" && find . "${select[@]}" -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
    printf '%s\n' "$@"
  } | sha256sum | cut -c1-16
}

# image_current REF HASH: true when REF exists with that source hash (never when FORCE=--force).
image_current() {
  [ "${FORCE:-}" != --force ] || return 1
  local have
  have=$(docker image inspect "$1" --format "{{index .Config.Labels \"$HASH_LABEL\"}}" 2>/dev/null) || return 1
  [ "$have" = "$2" ]
}
