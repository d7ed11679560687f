// Three jest projects, run separately by scripts/test.sh:
//   unit         test/unit: Pulumi mocks only, no engine or cluster (< 30 s)
//   integration  test/integration: real Docker engine and local cluster
//   conformance  test/conformance: the same checks on every runtime
// TypeScript is transpiled per file (isolatedModules, no type check): `tsc --noEmit` checks types.
const transform = {
    "^.+\\.ts$": ["ts-jest", { tsconfig: { isolatedModules: true, esModuleInterop: true, resolveJsonModule: true, target: "ES2022", module: "commonjs" }, diagnostics: false }],
};
const common = { testEnvironment: "node", transform, moduleFileExtensions: ["ts", "js", "json"] };

/** @type {import('jest').Config} */
module.exports = {
    projects: [
        { ...common, displayName: "unit", testMatch: ["<rootDir>/test/unit/**/*.test.ts"] },
        { ...common, displayName: "integration", testMatch: ["<rootDir>/test/integration/**/*.test.ts"] },
        { ...common, displayName: "conformance", testMatch: ["<rootDir>/test/conformance/**/*.test.ts"] },
    ],
};
