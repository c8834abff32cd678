import type { Config } from '../config.js';
import { createLocalTransport } from './local-transport.js';
import type { Mailer } from './mailer.js';
import { createResendTransport } from './resend-transport.js';

export function createMailer(config: Config): Mailer {
  return config.RESEND_API_KEY
    ? createResendTransport({ apiKey: config.RESEND_API_KEY, baseUrl: config.RESEND_BASE_URL })
    : createLocalTransport();
}
