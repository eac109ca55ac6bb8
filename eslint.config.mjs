// ESLint flat config: typed rules everywhere, and determinism rules for workflow code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'web/dist/', 'web/e2e/screenshots/', 'bench/results/', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Tests read JSON bodies of HTTP answers; asserting on them is the point, so `any` is fine there.
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
  {
    // Workflow code is replayed: it must be deterministic, so Node's APIs are banned there.
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Node built-ins are not allowed in workflow code (determinism).' })),
          patterns: [
            { group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', 'knex', 'pg', 'express'], message: 'Workflow code may only import @temporalio/workflow and pure modules.' },
            { group: ['../activities', '../activities/*'], allowTypeImports: true, message: 'Import activities as types only.' },
            { group: ['json-logic-js'], message: 'Conditions run on the bounded evaluator in workflows/conditions.ts; json-logic-js is only its test oracle.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'setTimeout', 'setInterval', 'require'],
    },
  },
);
