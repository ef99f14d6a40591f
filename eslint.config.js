// Lint: typescript-eslint's recommended rules plus the project's own: no `any`,
// no Math.random in src/ (randomness comes from node:crypto), no console.log in
// src/ outside the CLI (nothing secret may reach a log by accident).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'docs/api/', 'src/ring/wasm/kernels.generated.ts', 'notebooks/', '.tfe-run/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use src/crypto (node:crypto CSPRNG); Math.random is not cryptographic.' }],
      'no-console': 'error',
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // A CommonJS user's program (npm run test:package): require() is what it tests.
    files: ['test/package/consumer/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
