#!/usr/bin/env bash
# The package as users get it: `npm pack` of this repository (prepack builds dist/ with tsc), the
# tarball installed into a fresh copy of examples/consumer (a project of its own: a tiny Pulumi
# program, unit tests with Pulumi mocks, a conformance test of its own group), then that project's
# typecheck against the installed declarations and its jest tests. A broken export, a missing file
# in the tarball or an undeclared dependency fails here.
# Usage: bash scripts/test-package.sh [JEST_JSON_OUTPUT]
. "$(dirname "$0")/lib/common.sh"
cd "$PODGROUP_ROOT"
out=${1:-}

work=$(mktemp -d /var/tmp/podgroup-consumer.XXXXXX)
trap 'rm -rf "$work"' EXIT

log "npm pack (prepack: tsc -p tsconfig.build.json)"
tarball=$(npm pack --silent --pack-destination "$work" | tail -n1)
[ -f "$work/$tarball" ] || die "npm pack wrote no tarball (got '$tarball')"
log "packed $tarball: $(tar -tzf "$work/$tarball" | wc -l) files, $(du -h "$work/$tarball" | cut -f1)"

cp -r examples/consumer "$work/consumer"
rm -rf "$work/consumer/node_modules" "$work/consumer/package-lock.json"
cp "$work/$tarball" "$work/consumer/podgroup.tgz"
cd "$work/consumer"
log "npm install in a fresh consumer project ($work/consumer)"
npm install --no-audit --no-fund --loglevel=error
[ -f node_modules/podgroup/dist/components/index.js ] || die "the installed package has no dist/components/index.js"
[ ! -e node_modules/podgroup/components ] || die "the tarball ships the TypeScript sources (components/): files in package.json"
# The package's command (package.json `bin`), as a user runs it from the project.
npx --no-install podgroup recover --help | grep -q '^usage: podgroup recover' || die "npx podgroup recover --help failed"

log "typecheck against the installed declarations (tsc --noEmit)"
npx tsc --noEmit
log "the consumer's tests"
npx jest --runInBand ${out:+--json --outputFile "$out"}
