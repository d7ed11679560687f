// The consumer's tests run against the installed package (node_modules/podgroup), never the
// repository's sources. ESM-only dependencies of @kubernetes/client-node are compiled to CommonJS.
const ESM_PACKAGES = ["@kubernetes/client-node", "openid-client", "oauth4webapi", "jose", "jsonpath-plus", "rfc4648"];
/** @type {import('jest').Config} */
module.exports = {
    testEnvironment: "node",
    testMatch: ["<rootDir>/test/**/*.test.ts"],
    transform: {
        "^.+\\.ts$": ["ts-jest", { tsconfig: { isolatedModules: true, esModuleInterop: true, target: "ES2022", module: "commonjs" }, diagnostics: false }],
        "^.+\\.m?js$": ["ts-jest", { tsconfig: { allowJs: true, isolatedModules: true, target: "ES2022", module: "commonjs" }, diagnostics: false }],
    },
    transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join("|")})/)`],
};
