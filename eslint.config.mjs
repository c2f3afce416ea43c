// eslint (flat config) for our own scripts: static/js is native ES modules, loaded by the
// browser as they are (no build step). `make lint-js` runs it; static/vendor is built from npm.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["static/vendor/**", "node_modules/**", "test-artifacts/**", "bench/**", ".venv/**"] },
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: {
        ...globals.browser,
        // The two classic vendor scripts base.html loads before the modules.
        io: "readonly",
        bootstrap: "readonly",
      },
    },
    rules: {
      "no-console": ["error", { allow: ["error"] }],
      "no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "no-var": "error",
      "prefer-const": "error",
      eqeqeq: ["error", "always"],
      "no-implicit-globals": "error",
      "no-restricted-globals": ["error", { name: "Roundtable", message: "Import what you need: no page globals." }],
      "no-restricted-properties": ["error",
        { object: "window", property: "Roundtable", message: "Import what you need: no page globals." },
        { object: "window", property: "t", message: "import { t } from \"./i18n.js\"" }],
      "max-lines": ["error", { max: 400, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    // Node scripts the Python tests drive (tests/deployment/broadcast_client.js).
    files: ["tests/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "commonjs", globals: globals.node },
  },
  {
    files: ["eslint.config.mjs"],
    languageOptions: { sourceType: "module", globals: globals.node },
  },
];
