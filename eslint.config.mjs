// Flat config: typescript-eslint's recommended rules over the repo's TypeScript and JavaScript.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

const nodeGlobals = Object.fromEntries(
    ["module", "require", "process", "console", "__dirname", "__filename", "exports", "Buffer", "setTimeout", "clearTimeout"]
        .map((name) => [name, "readonly"]),
);

export default tseslint.config(
    { ignores: ["node_modules/**", "bin/**", ".state/**", "reports/**", "coverage/**", "dist/**", ".ci/out/**"] },
    eslint.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
        },
    },
    {
        files: ["**/*.js", "**/*.cjs"],
        languageOptions: { sourceType: "commonjs", globals: nodeGlobals },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        files: ["**/*.mjs"],
        languageOptions: { sourceType: "module", globals: nodeGlobals },
    },
);
