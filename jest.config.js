// Three jest projects, run separately by scripts/test.sh:
//   unit         test/unit: Pulumi mocks only, no engine or cluster (< 30 s)
//   integration  test/integration: real Docker engine and local cluster
//   conformance  test/conformance: the same checks on every runtime
// TypeScript is transpiled per file (isolatedModules, no type check): `tsc --noEmit` checks types.
const tsJest = ["ts-jest", { tsconfig: { isolatedModules: true, esModuleInterop: true, resolveJsonModule: true, target: "ES2022", module: "commonjs" }, diagnostics: false }];
const common = { testEnvironment: "node", transform: { "^.+\\.ts$": tsJest }, moduleFileExtensions: ["ts", "js", "json"] };

// @kubernetes/client-node 1.x and some of its dependencies are ES modules, which jest's CommonJS
// registry cannot load: ts-jest compiles them to CommonJS (once; jest caches the result).
// Only the projects that talk to a cluster pay for it.
const ESM_PACKAGES = ["@kubernetes/client-node", "openid-client", "oauth4webapi", "jose", "jsonpath-plus", "rfc4648"];
const withEsm = {
    ...common,
    transform: {
        "^.+\\.ts$": tsJest,
        "^.+\\.m?js$": ["ts-jest", { tsconfig: { allowJs: true, isolatedModules: true, target: "ES2022", module: "commonjs" }, diagnostics: false }],
    },
    transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join("|")})/)`],
};

/** @type {import('jest').Config} */
module.exports = {
    projects: [
        { ...common, displayName: "unit", testMatch: ["<rootDir>/test/unit/**/*.test.ts"] },
        { ...withEsm, displayName: "integration", testMatch: ["<rootDir>/test/integration/**/*.test.ts"] },
        { ...withEsm, displayName: "conformance", testMatch: ["<rootDir>/test/conformance/**/*.test.ts"] },
    ],
};
