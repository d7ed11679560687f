# Sourced (after scripts/lib/common.sh) by scripts/images.sh and images/*/build.sh: the one way
# to hash an image's build inputs and to tell whether the image with that hash is there. Images
# carry the hash in the contract's source-hash label (contract/docker-contract.json).
. "$PODGROUP_ROOT/scripts/contract.sh"
HASH_LABEL=$CONTRACT_LABELS_SOURCE_HASH

. "$PODGROUP_ROOT/scripts/lib/hash.sh"

# image_current REF HASH: true when REF exists with that source hash (the callers skip the check
# for --force and --inputs).
image_current() {
  local have
  have=$(docker image inspect "$1" --format "{{index .Config.Labels \"$HASH_LABEL\"}}" 2>/dev/null) || return 1
  [ "$have" = "$2" ]
}
