import type { Mailer, OutgoingMail, SendOutcome } from './mailer.js';

/**
 * The embedded default without RESEND_API_KEY: the rendered mail is already stored on its message
 * row, so "sending" records it as delivered and nothing leaves the machine.
 */
export function createLocalTransport(): Mailer {
  return {
    name: 'local',
    async send(mail: OutgoingMail): Promise<SendOutcome> {
      return { providerId: `local:${mail.idempotencyKey}`, delivered: true };
    },
  };
}
