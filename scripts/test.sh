#!/usr/bin/env bash
# The README's test command: sets everything up (engine, toolchain, images, local cluster) and
# runs the whole suite: typecheck, lint, unit, Docker and Kubernetes integration, supervisor,
# conformance on every runtime. Leaves the engine and cluster running (use .ci/run, or
# `bash scripts/cluster.sh down && bash scripts/engine.sh stop`, to stop them).
. "$(dirname "$0")/lib/common.sh"
cd "$PODGROUP_ROOT"

results=$PODGROUP_RUN/test-results
rm -rf "$results"; mkdir -p "$results" reports

step "set-up, both sides (packages, engine, Node 22, npm ci, Pulumi toolchain, images, Kubernetes binary)" \
  bash scripts/setup.sh --kubernetes
step "local Kubernetes cluster up" bash scripts/cluster.sh up

# Checks that are not jest tests: each counts as one test in the closing line.
failed=0 passed_checks=0 failed_checks=0
check() {
  if step "$@"; then passed_checks=$((passed_checks + 1)); else failed_checks=$((failed_checks + 1)); failed=1; fi
}
check "fresh-machine rehearsal (set-up's steps on empty caches)" bash scripts/rehearse-cold.sh
check "no build output or binary tracked by git" bash scripts/check-tracked-binaries.sh
check "typecheck (tsc --noEmit, strict)" npx tsc --noEmit
check "lint (eslint)" npx eslint .
check "supervisor Go unit tests" bash -c 'cd supervisor && go test ./... 2>&1 | tee "$0"; exit "${PIPESTATUS[0]}"' "$results/go-test.txt"

# One jest run per project so that a failing project does not hide the others' results; the
# packed package's consumer project runs its own jest after the unit tests.
for project in unit consumer integration conformance; do
  if [ "$project" = consumer ]; then
    step "the packed package in a consumer project (npm pack, install, tsc, jest)" \
      bash scripts/test-package.sh "$results/jest-consumer.json" || failed=1
    continue
  fi
  if ! step "jest: $project tests" npx jest --selectProjects "$project" --runInBand \
      --json --outputFile "$results/jest-$project.json"; then
    failed=1
  fi
done

# The closing line CI reads: totals over the checks above and every jest run (a missing result
# file counts as a failure).
node -e '
  const fs = require("fs"); let p = Number(process.argv[1]), f = Number(process.argv[2]), s = 0;
  for (const file of process.argv.slice(3)) {
    if (!fs.existsSync(file)) { f++; continue; }
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    p += r.numPassedTests; f += r.numFailedTests + r.numRuntimeErrorTestSuites; s += r.numPendingTests + r.numTodoTests;
  }
  console.log(`tests: ${p} passed, ${f} failed, ${s} skipped`);
' "$passed_checks" "$failed_checks" "$results"/jest-unit.json "$results"/jest-consumer.json "$results"/jest-integration.json "$results"/jest-conformance.json
[ -f reports/conformance.md ] && log "conformance report: reports/conformance.{md,json,html}"
exit "$failed"
