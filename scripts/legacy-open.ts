// How many open workflows still need each legacy path (README, "Legacy paths"):
//   node --import tsx scripts/legacy-open.ts [--json]
// Reads TEMPORAL_ADDRESS (else 127.0.0.1:TEMPORAL_PORT), TEMPORAL_NAMESPACE and TEMPORAL_TASK_QUEUE
// as the worker does. Once every worker runs the current code, a path whose count has read 0 may
// go as its line says (newer runs may raise some counts again; they never need the path). The
// queries, and why they may count more than they must but never less, are in src/worker/legacy-open.ts.
import { loadConfigOrExit } from '../src/config.js';
import { createTemporalClient, temporalAddress } from '../src/temporal.js';
import { countLegacyOpen } from '../src/worker/legacy-open.js';

const config = loadConfigOrExit();
const client = createTemporalClient(config);
try {
  const counts = await countLegacyOpen(client, { taskQueue: config.TEMPORAL_TASK_QUEUE });
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(counts, null, 2)}\n`);
  } else {
    const lines = [`Open workflows per legacy path (${temporalAddress(config)}, namespace ${config.TEMPORAL_NAMESPACE}, main queue ${config.TEMPORAL_TASK_QUEUE}):`, ''];
    for (const c of counts) {
      lines.push(`${String(c.open).padStart(7)}  ${c.path} (legacy since ${c.since})`);
      lines.push(`         ${c.open === 0 ? 'may go now' : 'not yet'}: ${c.removal}`);
      lines.push(`         query: ${c.query}`);
    }
    lines.push('', 'Counts may include newer runs that never need the path, never fewer than the older ones that do; visibility lags a moment.');
    process.stdout.write(`${lines.join('\n')}\n`);
  }
} finally {
  await client.connection.close();
}
