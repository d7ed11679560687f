// The conformance jest project, standalone (`npx jest -c test/conformance/jest.config.js --runInBand`),
// with what the root jest.config.js's conformance project also needs: @kubernetes/client-node 1.x
// and three of its dependencies are ES modules, which jest's CommonJS registry cannot load, so
// ts-jest compiles them to CommonJS (once; jest caches the result).
const path = require("path");

const ESM_PACKAGES = ["@kubernetes/client-node", "openid-client", "oauth4webapi", "jose", "jsonpath-plus", "rfc4648"];

/** To spread into the root config's conformance project. */
const esm = {
    transform: {
        "^.+\\.ts$": ["ts-jest", { tsconfig: { isolatedModules: true, esModuleInterop: true, resolveJsonModule: true, target: "ES2022", module: "commonjs" }, diagnostics: false }],
        "^.+\\.m?js$": ["ts-jest", { tsconfig: { allowJs: true, isolatedModules: true, target: "ES2022", module: "commonjs" }, diagnostics: false }],
    },
    transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join("|")})/)`],
};

/** @type {import('jest').Config} */
module.exports = {
    rootDir: path.resolve(__dirname, "..", ".."),
    displayName: "conformance",
    testEnvironment: "node",
    moduleFileExtensions: ["ts", "js", "json"],
    testMatch: ["<rootDir>/test/conformance/**/*.test.ts"],
    ...esm,
};
