import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config(
    {
        ignores: [
            "node_modules/**",
            "policies/node_modules/**",
            "**/node_modules/**",
            "out/**",
            "shared/**",
            "**/*.js",
            "**/*.mjs",
        ],
    },
    ...tseslint.configs.recommended,
    {
        rules: {
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
        },
    },
    {
        // Type information for every file: a promise nobody awaits loses its error (a failed
        // resource registration, a mock that throws) and is caught here instead of at run time.
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            "@typescript-eslint/no-floating-promises": "error",
        },
    },
    {
        // The Pulumi rules: only the program's code handles Outputs.
        files: ["index.ts", "components/**/*.ts", "examples/**/*.ts"],
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
        },
    },
    {
        // Components stay readable in one sitting: a long constructor becomes named steps.
        files: ["components/**/*.ts"],
        rules: {
            "max-lines-per-function": [
                "error",
                { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true },
            ],
        },
    },
    {
        // Specs walk plan JSON of arbitrary depth.
        files: ["test/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
