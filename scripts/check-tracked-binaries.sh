#!/usr/bin/env bash
# Fails when git tracks a build output: an executable or object file (ELF, Mach-O, PE, ar
# archive, by magic number) or any file over the size limit that is not text. Build outputs are
# made by the scripts (images/supervisor/build.sh, scripts/toolchain.sh, ...), never committed.
# Usage: bash scripts/check-tracked-binaries.sh [LIMIT_BYTES]   (default 1048576: 1 MiB)
set -euo pipefail
cd "$(dirname "$0")/.."
LIMIT=${1:-1048576}

bad=0
while IFS= read -r -d '' f; do
  [ -f "$f" ] || continue # deleted in the work tree, not yet committed
  magic=$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')
  case $magic in
    7f454c46) why="ELF executable or object" ;;
    cffaedfe | cefaedfe | feedfacf | feedface) why="Mach-O executable" ;;
    4d5a*) why="PE (Windows) executable" ;;
    213c6172) why="ar archive (static library)" ;;
    *) why="" ;;
  esac
  size=$(stat -c %s "$f")
  if [ -z "$why" ] && [ "$size" -gt "$LIMIT" ] && ! grep -qI . "$f"; then
    why="binary file of $size bytes (over $LIMIT)"
  fi
  if [ -n "$why" ]; then
    echo "tracked build output or binary: $f ($why): git rm --cached it and add it to a .gitignore" >&2
    bad=1
  fi
done < <(git ls-files -z)
[ "$bad" -eq 0 ] && echo "no tracked binaries ($(git ls-files | wc -l) files checked)"
exit "$bad"
