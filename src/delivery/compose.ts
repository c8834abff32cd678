import { randomBytes } from 'node:crypto';
import type { Tx } from '../db.js';
import type { Message } from '../generated/prisma/client.js';
import { newId } from '../domain/ids.js';
import { continuedSubject, renderTemplate } from '../domain/render.js';
import type { OutgoingMail } from '../mail/mailer.js';
import { formatFrom, type Sender } from '../senders/capacity.js';
import type { SendTarget } from './send-guard.js';

/**
 * Renders a step for its lead (from the lead's fields as they are now) and records it as the
 * step's one message, with the provider idempotency key every attempt at it will use and all it
 * sends, down to the unsubscribe URL: a retry under the key must be byte for byte the first.
 */
export async function createMessage(
  tx: Tx,
  target: SendTarget,
  step: { stepNumber: number; subject: string; bodyHtml: string; variantId?: string | null },
  sender: Sender,
  claim: { at: Date; publicUrl: string; reserved: { day: string; newLead: boolean } },
): Promise<Message> {
  const { enrollment } = target;
  const lead = await tx.lead.findUniqueOrThrow({ where: { id: enrollment.leadId } });
  const fields = { ...lead, customFields: lead.customFields as Record<string, unknown> };
  let subject = renderTemplate(step.subject, fields, 'subject').text;
  if (subject === '' && step.stepNumber > 1) {
    // An empty subject continues the thread of the lead's first message.
    const first = await tx.message.findUnique({
      where: { enrollmentId_stepNumber: { enrollmentId: enrollment.id, stepNumber: 1 } },
      select: { subject: true },
    });
    subject = first ? continuedSubject(first.subject) : subject;
  }
  const id = newId('msg');
  const token = randomBytes(24).toString('base64url');
  return tx.message.create({
    data: {
      id,
      workspaceId: enrollment.workspaceId,
      campaignId: enrollment.campaignId,
      enrollmentId: enrollment.id,
      leadId: enrollment.leadId,
      stepNumber: step.stepNumber,
      variantId: step.variantId ?? null,
      idempotencyKey: `${enrollment.id}/${step.stepNumber}`,
      toEmail: lead.email,
      fromEmail: formatFrom(sender),
      subject,
      bodyHtml: renderTemplate(step.bodyHtml, fields, 'html').text,
      rfcMessageId: `<${id}@${sender.email.split('@')[1] ?? 'sequent.local'}>`,
      unsubscribeToken: token,
      unsubscribeUrl: `${claim.publicUrl}/u/${token}`,
      // The claim's time, not the transaction's start: pacing's gaps are kept between claims.
      createdAt: claim.at,
      // What the claim reserved, so a step that leaves on another day moves it there (carried.ts).
      senderAccountId: sender.id,
      reservedDay: claim.reserved.day,
      reservedAt: claim.at,
      newLeadCounted: claim.reserved.newLead,
    },
  });
}


/** The mail as the provider gets it: its own Message-ID, the thread it continues, one-click unsubscribe, tags. */
export async function outgoingMail(db: Tx, message: Message, publicUrl: string): Promise<OutgoingMail> {
  const headers: Record<string, string> = {};
  if (message.rfcMessageId) headers['Message-ID'] = message.rfcMessageId;
  if (message.stepNumber > 1) {
    const first = await db.message.findUnique({
      where: { enrollmentId_stepNumber: { enrollmentId: message.enrollmentId, stepNumber: 1 } },
      select: { rfcMessageId: true },
    });
    if (first?.rfcMessageId) {
      headers['In-Reply-To'] = first.rfcMessageId;
      headers.References = first.rfcMessageId;
    }
  }
  const unsubscribe = message.unsubscribeUrl ?? (message.unsubscribeToken ? `${publicUrl}/u/${message.unsubscribeToken}` : null);
  if (unsubscribe) {
    headers['List-Unsubscribe'] = `<${unsubscribe}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return {
    from: message.fromEmail,
    to: message.toEmail,
    subject: message.subject,
    html: message.bodyHtml,
    idempotencyKey: message.idempotencyKey,
    headers,
    // The provider's events carry these back: an event for a message whose provider id is not
    // recorded yet (its answer was lost) is still matched by message_id.
    tags: {
      workspace_id: message.workspaceId,
      campaign_id: message.campaignId,
      enrollment_id: message.enrollmentId,
      message_id: message.id,
    },
  };
}
