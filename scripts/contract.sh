# Sourced by shell scripts (after scripts/lib/common.sh): the Docker-side contract,
# contract/docker-contract.json, as shell variables, so that no script spells a label key or a
# supervisor setting itself. Every leaf becomes CONTRACT_<PATH> in upper snake case, e.g.
#   labels.group                      -> CONTRACT_LABELS_GROUP=podgroup.io/group
#   supervisor.options.stateDir.env   -> CONTRACT_SUPERVISOR_OPTIONS_STATE_DIR_ENV=PODGROUP_SUPERVISOR_STATE
#   supervisor.capDrop                -> CONTRACT_SUPERVISOR_CAP_DROP="ALL" (lists: space-separated)
eval "$(node -e '
  const c = require(process.argv[1]);
  const snake = (k) => k.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
  const out = [];
  const walk = (v, path) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, [...path, snake(k)]);
    } else {
      const s = Array.isArray(v) ? v.join(" ") : String(v);
      const q = String.fromCharCode(39); // single-quoted for eval: a quote becomes the four characters quote, backslash, quote, quote
      out.push(`CONTRACT_${path.join("_")}=${q}${s.split(q).join(q + "\\" + q + q)}${q}`);
    }
  };
  walk(c, []);
  console.log(out.join("\n"));
' "${PODGROUP_ROOT:?source scripts/lib/common.sh first}/contract/docker-contract.json")" || {
  echo "cannot read contract/docker-contract.json (node needed)" >&2
  return 1 2>/dev/null || exit 1
}
