import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Anything that does I/O or is not deterministic must stay out of the workflow sandbox.
const WORKFLOW_FORBIDDEN = [
  { group: ['node:*'], message: 'Workflows are deterministic: no Node builtins (use activities).' },
  { group: ['@prisma/*', '**/generated/prisma/**', '**/db.js', 'pg'], message: 'Workflows do no database I/O: call an activity.' },
  { group: ['resend', 'svix', 'standardwebhooks', '**/mail/**'], message: 'Workflows send no mail: call an activity.' },
  { group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', 'hono', '@hono/*', 'pino', '**/api/**', '**/logger.js', '**/config.js'], message: 'Not available inside the workflow sandbox.' },
];
// Where each part of src/ may reach (README, "Architecture"): an allow-list per folder, read
// bottom-up. A folder imports its own files and what its list names (a folder, or a file ending in
// .js), nothing else of src/. The send path's features form one chain: senders and webhooks, then
// campaigns, leads, replies, delivery, each using those before it; activities adapt them to
// Temporal; the API, the worker and MCP are the shells.
const BASE = ['domain', 'generated', 'db.js', 'services.js'];
const FEATURES = ['senders', 'webhooks', 'campaigns', 'leads', 'replies', 'delivery'];
const featureChain = (upTo) => FEATURES.slice(0, FEATURES.indexOf(upTo));
const ALLOWED = {
  mail: ['domain', 'config.js'],
  retention: ['domain', 'db.js'],
  senders: BASE,
  webhooks: [...BASE, 'logger.js', 'config.js'],
  campaigns: [...BASE, ...featureChain('campaigns')],
  leads: [...BASE, ...featureChain('leads')],
  replies: [...BASE, ...featureChain('replies')],
  delivery: [...BASE, ...featureChain('delivery'), 'mail', 'logger.js'],
  activities: [...BASE, ...FEATURES, 'retention', 'mail', 'config.js', 'logger.js', 'workflows/contract.js', 'workflows/client.js'],
  worker: [...BASE, 'activities', 'webhooks', 'workflows', 'config.js', 'logger.js', 'temporal.js'],
  mcp: ['api', 'domain', 'config.js', 'logger.js'],
  console: ['domain'],
};
const escape = (name) => name.replace(/[.]/g, '\\.');
/** A pattern refusing every `../` import of src/ outside `allowed`. */
function onlyFrom(folder, allowed) {
  const names = allowed.map((a) => (a.endsWith('.js') ? `${escape(a)}$` : `${a}/`)).join('|');
  return { regex: `^\\.\\./(?!${names})`, message: `src/${folder} imports only its own files and: ${allowed.join(', ')} (README, "Architecture").` };
}
// Services speak the domain's language: no Temporal, no HTTP (a domain error or TryAgainLater instead).
const NO_SHELL = { group: ['@temporalio/*', 'hono', '@hono/*'], message: 'Services know neither Temporal nor HTTP: throw a domain error (src/domain/errors.ts, try-again.ts); the activity or route translates it.' };
const SERVICES = ['mail', 'retention', 'senders', 'webhooks', 'campaigns', 'leads', 'replies', 'delivery'];
const boundaries = Object.entries(ALLOWED).map(([folder, allowed]) => ({
  files: [`src/${folder}/*.ts`],
  rules: { 'no-restricted-imports': ['error', { patterns: [onlyFrom(folder, allowed), ...(SERVICES.includes(folder) ? [NO_SHELL] : [])] }] },
}));
// The HTTP layer is the outermost shell: it may reach every service, never the worker's side.
const API_FORBIDDEN = { group: ['**/activities/**', '**/worker/**', '**/workflows/*', '!**/workflows/client.js', '!**/workflows/contract.js'], message: 'src/api starts and signals workflows through the Orchestrator (src/workflows/client.ts), never activities or the worker.' };
// Top-level modules (config, db, logger, services, temporal, tenancy) stand under every folder.
const ROOT_FILES = { regex: '^\\./(?!(domain|generated)/|(db|config)\\.js$)', message: 'A top-level module of src/ imports only src/domain, the generated client, db.ts and config.ts.' };
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
  ...boundaries,
  {
    files: ['src/api/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [API_FORBIDDEN] }] },
  },
  {
    files: ['src/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [ROOT_FILES] }] },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: DOMAIN_FORBIDDEN }] },
  },
  {
    // The client module lives beside the workflows it starts and signals, outside the sandbox: the
    // Orchestrator on Temporal, typed by the contract alone (never by workflow code).
    files: ['src/workflows/client.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [onlyFrom('workflows/client.ts', ['domain']), { regex: '^\\./(?!contract\\.js$)', message: 'The client knows the workflows by the contract only.' }] }] },
  },
  {
    files: ['src/workflows/**/*.ts'],
    ignores: ['src/workflows/client.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: NODE_BUILTINS.map((name) => ({ name, message: 'Workflows are deterministic: no Node builtins.' })), patterns: [...WORKFLOW_FORBIDDEN, onlyFrom('workflows', ['domain', 'activities/index.js'])] },
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
