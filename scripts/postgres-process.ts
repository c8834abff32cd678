// Runs the embedded PostgreSQL as its own process for `npm start`, so the launcher can stop it
// last, after the API and worker have drained. Prints `ready <url>` once it accepts connections;
// SIGINT/SIGTERM stop it cleanly (the exit hook in scripts/lib/embedded-postgres.ts).
import { clusterDirFor, recordClusterLocation, startEmbeddedPostgres } from './lib/embedded-postgres.js';

const [dataDir, port] = [process.argv[2] ?? './.data', Number(process.argv[3] ?? 54329)];
const clusterDir = clusterDirFor(dataDir);
const pg = await startEmbeddedPostgres({ clusterDir, port, database: 'sequent' });
recordClusterLocation(dataDir, clusterDir);
process.stdout.write(`ready ${pg.url}\n`);
// Keep the event loop alive until a signal arrives.
setInterval(() => {}, 1 << 30);
