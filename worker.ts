import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { activitiesFromConfig } from './src/activities/index.js';
import { loadConfigOrExit, requireSetting, sendRateOf } from './src/config.js';
import { createDb } from './src/db.js';
import { createLogger } from './src/logger.js';
import { temporalAddress } from './src/temporal.js';
import { buildWorker, WORKER_DB_POOL } from './src/worker/build-worker.js';
import { installRuntimeLogger } from './src/worker/runtime-logger.js';
import { startEventDispatcher } from './src/worker/event-dispatcher.js';
import { prepareWorkerStart } from './src/worker/start-up.js';
import { temporalOrchestrator } from './src/workflows/client.js';

const config = loadConfigOrExit();
const logger = createLogger(config.LOG_LEVEL, 'worker');
installRuntimeLogger(logger);
// A burst of work waits for a connection rather than failing an attempt.
const db = createDb(requireSetting(config, 'DATABASE_URL'), { max: WORKER_DB_POOL, waitForConnectionMs: 60_000 });
const connection = await NativeConnection.connect({ address: temporalAddress(config) });
// The process's one client shares the workers' connection, so the workflows it starts here (webhook
// deliveries) can be handed straight to this process's workers (eager start).
const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
const orchestrator = temporalOrchestrator({ client, taskQueue: config.TEMPORAL_TASK_QUEUE, eagerStart: true });

const worker = await buildWorker({
  connection,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  activities: activitiesFromConfig(config, { db, logger, client, eagerStart: true }),
  sendRatePerSecond: sendRateOf(config),
  maxCachedWorkflows: config.WORKER_CACHED_WORKFLOWS,
});

await prepareWorkerStart({ client, db, config, logger });
const dispatcher = startEventDispatcher({ db, orchestrator, now: () => new Date() }, requireSetting(config, 'DATABASE_URL'), logger);
logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, address: temporalAddress(config) }, 'worker started');
// Worker.run() handles SIGINT/SIGTERM itself: it stops polling and drains in-flight tasks.
try {
  await worker.run();
} finally {
  await dispatcher.stop();
  await connection.close();
  await db.$disconnect();
  logger.info('worker stopped');
}
