import type { Config } from '../config.js';
import { createLocalTransport } from './local-transport.js';
import type { Mailer } from './mailer.js';

export function createMailer(config: Config): Mailer {
  if (config.RESEND_API_KEY) {
    throw new Error('RESEND_API_KEY is set, but the Resend transport is not available in this build yet.');
  }
  return createLocalTransport();
}
