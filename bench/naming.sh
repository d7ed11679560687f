# Docker names of a group's containers, from the one definition (components/docker-naming.json, read by
# components/naming.ts too): `docker_name <group> <container>`, `docker_pause_name <group>`.
# Source after scripts/lib/common.sh (node on PATH).
_naming_json="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/components/docker-naming.json"
NAMING_SEPARATOR=$(node -p "require('$_naming_json').separator")
NAMING_PAUSE_SUFFIX=$(node -p "require('$_naming_json').pauseSuffix")
docker_name() { printf '%s%s%s' "$1" "$NAMING_SEPARATOR" "$2"; }
docker_pause_name() { docker_name "$1" "$NAMING_PAUSE_SUFFIX"; }
