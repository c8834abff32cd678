import { Client, Connection } from '@temporalio/client';
import type { Config } from './config.js';

export const temporalAddress = (config: Config) => config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}`;

/**
 * One Temporal client per process. The connection is lazy so the API can start (and say 503 on
 * /readyz) while Temporal is still coming up.
 */
export function createTemporalClient(config: Config): Client {
  const connection = Connection.lazy({ address: temporalAddress(config) });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}
