// Type-aware lint rules (typescript-eslint's recommended set), zero warnings in `npm test`.
// typescript-eslint reads types through TypeScript 6's JavaScript API (the `typescript`
// devDependency); the compiler that checks and builds is TypeScript 7 (`tsgo`), which has no such API.
import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', 'dist/', 'data/', 'coverage/', 'bench/results/', 'test-results/'] },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    rules: {
      // Off: Fastify plugins and interface implementations are async without awaiting, so that a
      // throw becomes a rejected promise as their callers expect; dropping `async` would change that.
      '@typescript-eslint/require-await': 'off',
      // Off: it judges by TypeScript 6's inference; TypeScript 7, which compiles the store, still
      // needs some of the assertions it calls unnecessary (its autofix broke the build).
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // A leading underscore marks a parameter a signature requires, or a field dropped by a rest
      // pattern (`{ secret: _s, ...rest }`): unused on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // The house rule "files under ~300 lines", counting code only: a file past it holds two things.
    files: ['**/*.ts', '**/*.tsx'],
    rules: { 'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }] },
  },
  {
    // A test file is a list of cases around one subject and its fixtures, so it may run longer.
    files: ['**/*.test.ts', '**/*.test.tsx'],
    rules: { 'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }] },
  },
  {
    // The database's row types, one interface per table, are read as a whole, like the migrations.
    files: ['src/platform/db/schema.ts'],
    rules: { 'max-lines': 'off' },
  },
  {
    // The store's progressively enhancing browser scripts.
    files: ['public/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    // Plain JavaScript (browser scripts, vendors' examples, tool configs): no type information.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
