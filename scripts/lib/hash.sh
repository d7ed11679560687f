# The one way to hash build inputs (sourced by scripts/lib/go.sh and scripts/image-hash.sh).

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
