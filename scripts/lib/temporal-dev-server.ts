import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/contract.js';
import { startChild, waitForPort, type Child } from './children.js';

/** The real Temporal server (SQLite-backed) with its Web UI and Sequent's search attributes. */
export async function startTemporalDevServer(options: {
  cli: string;
  port: number;
  uiPort: number;
  dbFile: string | null;
  namespace: string;
  quiet?: boolean;
}): Promise<Child> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--ui-port', String(options.uiPort)];
  // warn logs every poll the server's own workers lose while it shuts down: noise for our users.
  args.push('--namespace', options.namespace, '--log-level', 'error');
  if (options.dbFile) {
    mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  // Eager start (a workflow's first task comes back in the start's answer) and eager activities (an
  // activity comes back in the workflow task's answer) each save a trip through matching; both are
  // off by default. The provider's rate limit is unaffected: sends run on their own queue, and an
  // activity is only eager on its workflow's queue.
  args.push('--dynamic-config-value', 'system.enableEagerWorkflowStart=true');
  args.push('--dynamic-config-value', 'system.enableActivityEagerExecution=true');
  for (const key of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=Keyword`);
  const child = startChild('temporal', options.cli, args, { quiet: options.quiet ?? false });
  const exited = child.exited.then((code) => {
    throw new Error(`the Temporal dev server exited (code ${code}) before it was ready`);
  });
  await Promise.race([waitForPort(options.port), exited]);
  exited.catch(() => undefined);
  return child;
}
