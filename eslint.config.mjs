// Lint: typescript-eslint's recommended rules; formatting is prettier's job.
// The dashboard's browser scripts (apps/api/public/assets/*.js) are linted too, with the browser's globals.
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', '.cache/**', '.run/**', 'coverage/**', '**/*.js', '**/*.mjs', '!apps/api/public/assets/*.js'],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // ES modules (<script type="module">) in the browser, served as they are; type-checked by apps/api/public/tsconfig.json
    files: ['apps/api/public/assets/*.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser } },
    rules: { 'no-undef': 'error' },
  },
);
