// The conformance jest project, standalone: `npx jest -c test/conformance/jest.config.js --runInBand`.
// Same as the root config's conformance project plus jest-esm.js (needed to load @kubernetes/client-node).
const path = require("path");

/** @type {import('jest').Config} */
module.exports = {
    rootDir: path.resolve(__dirname, "..", ".."),
    displayName: "conformance",
    testEnvironment: "node",
    moduleFileExtensions: ["ts", "js", "json"],
    testMatch: ["<rootDir>/test/conformance/**/*.test.ts"],
    ...require("./jest-esm"),
};
