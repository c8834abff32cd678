import { serve } from '@hono/node-server';
import { loadConfigOrExit, requireSetting, usesDevOnlyKey } from '../config.js';
import { createDb } from '../db.js';
import { createLogger } from '../logger.js';
import { ensureDefaultSender } from '../senders/senders.js';
import { parseMailbox } from '../domain/email.js';
import { ensureBootstrapKey } from '../tenancy.js';
import { createTemporalClient } from '../temporal.js';
import { createApp } from './app.js';
import { consoleBundle } from '../console/bundle.js';

const config = loadConfigOrExit();
const logger = createLogger(config.LOG_LEVEL, 'api');
const db = createDb(requireSetting(config, 'DATABASE_URL'));
const temporal = createTemporalClient(config);
// New webhook secrets are sealed with it: refuse to start without it rather than fail at the first POST /v1/webhooks.
requireSetting(config, 'SECRET_ENCRYPTION_KEY');
if (usesDevOnlyKey(config)) logger.warn('SECRET_ENCRYPTION_KEY is the built-in dev-only key (npm start): set a key of your own before any real use');

if (config.BOOTSTRAP_API_KEY) {
  const workspace = await ensureBootstrapKey(db, config.BOOTSTRAP_API_KEY);
  await ensureDefaultSender(db, workspace.id, parseMailbox(config.MAIL_FROM));
}

const app = createApp({ config, db, temporal, logger });
const server = serve({ fetch: app.fetch, port: config.PORT, hostname: '0.0.0.0' }, (info) => {
  logger.info({ port: info.port }, 'api listening');
});
// Built now rather than on the first visit, so a broken console shows in the start-up log.
consoleBundle().then(
  (bundle) => logger.info({ version: bundle.version, bytes: bundle['app.js'].body.length + bundle['app.css'].body.length }, 'console built'),
  (err: unknown) => logger.error({ err }, 'console build failed: / answers 500 until it builds'),
);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'api stopping');
  server.close();
  await Promise.allSettled([db.$disconnect(), temporal.connection.close()]);
  process.exit(0);
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
