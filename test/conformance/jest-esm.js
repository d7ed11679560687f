// What a jest project needs to load @kubernetes/client-node 1.x: it and three of its dependencies
// are ES modules, which jest's CommonJS module registry cannot load (Node 22's require(esm) does not
// apply under jest), so ts-jest compiles them to CommonJS once (jest caches the result, ~30 s cold).
// Spread into a project: `{ ...common, ...require("./test/conformance/jest-esm"), displayName: ... }`.
const ESM_PACKAGES = ["@kubernetes/client-node", "openid-client", "oauth4webapi", "jose", "jsonpath-plus", "rfc4648"];

module.exports = {
    transform: {
        "^.+\\.ts$": ["ts-jest", { tsconfig: { isolatedModules: true, esModuleInterop: true, resolveJsonModule: true, target: "ES2022", module: "commonjs" }, diagnostics: false }],
        "^.+\\.m?js$": ["ts-jest", { tsconfig: { allowJs: true, isolatedModules: true, target: "ES2022", module: "commonjs" }, diagnostics: false }],
    },
    transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join("|")})/)`],
};
