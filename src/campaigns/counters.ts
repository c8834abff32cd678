import type { Prisma } from '../generated/prisma/client.js';

type Tx = Prisma.TransactionClient;
export type CounterDelta = Partial<Record<'sent' | 'delivered' | 'bounced' | 'replied', number>>;

/** Adds to a campaign's counters; call it in the transaction that records the event it counts. */
export async function countMessage(tx: Tx, campaignId: string, delta: CounterDelta) {
  const { sent = 0, delivered = 0, bounced = 0, replied = 0 } = delta;
  await tx.$executeRaw`
    INSERT INTO "CampaignCounters" ("campaignId", sent, delivered, bounced, replied, "updatedAt")
    VALUES (${campaignId}, ${sent}, ${delivered}, ${bounced}, ${replied}, now())
    ON CONFLICT ("campaignId") DO UPDATE SET
      sent = "CampaignCounters".sent + EXCLUDED.sent,
      delivered = "CampaignCounters".delivered + EXCLUDED.delivered,
      bounced = "CampaignCounters".bounced + EXCLUDED.bounced,
      replied = "CampaignCounters".replied + EXCLUDED.replied,
      "updatedAt" = now()`;
}
