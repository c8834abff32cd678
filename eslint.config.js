import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Anything that does I/O or is not deterministic must stay out of the workflow sandbox.
const WORKFLOW_FORBIDDEN = [
  { group: ['node:*'], message: 'Workflows are deterministic: no Node builtins (use activities).' },
  { group: ['@prisma/*', '**/generated/prisma/**', '**/db.js', 'pg'], message: 'Workflows do no database I/O: call an activity.' },
  { group: ['resend', 'svix', 'standardwebhooks', '**/mail/**'], message: 'Workflows send no mail: call an activity.' },
  { group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', 'hono', '@hono/*', 'pino', '**/api/**', '**/logger.js', '**/config.js'], message: 'Not available inside the workflow sandbox.' },
];
// Where each part of src/ may reach (README, "Architecture"): the HTTP layer is the outermost shell.
const NO_API = { group: ['**/api/**'], message: 'Only src/api imports the HTTP layer: throw a domain error (src/domain/errors.ts) instead.' };
// The domain is pure: no database, network, Temporal, mail, files, clock-bound I/O; only its own modules.
const DOMAIN_FORBIDDEN = [
  { regex: '^\\.\\./', message: 'src/domain imports only src/domain.' },
  { group: ['@prisma/*', 'pg', '@temporalio/*', 'resend', 'svix', 'standardwebhooks', 'hono', '@hono/*', 'pino'], message: 'src/domain does no I/O.' },
  { group: ['node:fs', 'node:fs/*', 'node:net', 'node:http', 'node:https', 'node:dns', 'node:child_process'], message: 'src/domain does no I/O.' },
];
const NODE_BUILTINS = ['assert', 'buffer', 'child_process', 'crypto', 'dns', 'events', 'fs', 'fs/promises', 'http', 'https', 'net', 'os', 'path', 'process', 'stream', 'timers', 'tls', 'url', 'util', 'worker_threads', 'zlib'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', 'src/generated/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/only-throw-error': 'off',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through parseConfig() (src/config.ts).' },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    // The MCP server is another front door to the same API: it reads the API's route definitions.
    ignores: ['src/api/**', 'src/mcp/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_API] }] },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: DOMAIN_FORBIDDEN }] },
  },
  {
    // The mail boundary knows mail and nothing of campaigns, leads or the database.
    files: ['src/mail/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./(?!domain/|config\\.js$)', message: 'src/mail imports only src/domain and src/config.ts.' }] }] },
  },
  {
    // The client module lives beside the workflows it starts and signals, outside the sandbox.
    files: ['src/workflows/**/*.ts'],
    ignores: ['src/workflows/client.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: NODE_BUILTINS.map((name) => ({ name, message: 'Workflows are deterministic: no Node builtins.' })), patterns: [...WORKFLOW_FORBIDDEN, NO_API] },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/activities/*', '**/activities'], allowTypeImports: true, message: 'Import activities with `import type` only.' }] },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'Not available in the workflow sandbox.' }, { name: 'setInterval', message: 'Use workflow timers (sleep/condition).' }],
    },
  },
  {
    // Entry points, tooling and tests may read the environment; application code may not.
    files: ['src/config.ts', 'scripts/**', 'test/**/*.ts', 'bench/**/*.ts', 'prisma.config.ts', 'vitest.config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Response bodies are asserted on, not typed.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', setInterval: 'readonly', setTimeout: 'readonly' },
    },
  },
);
