import { describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { findColleagues } from '../../src/replies/intake.js';
import { emitEvent, messageEvents } from '../../src/webhooks/events.js';
import { newWorkspace, testDeps } from '../helpers/deps.js';
import { uniq } from '../helpers/fixtures.js';

const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

/**
 * The indexed lookups (bench/explain.ts) find exactly what the scans they replaced found: the
 * columns they read are kept by triggers from the data the scans read, whoever writes the row.
 */
describe('lookups by columns the database keeps', () => {
  it("finds a message's events as the JSON path on data.messageId did", async () => {
    const { db } = testDeps();
    const { workspaceId } = await newWorkspace(db);
    const other = await newWorkspace(db);
    const m = { id: newId('msg'), workspaceId };
    await emitEvent(db, workspaceId, 'message.sent', { messageId: m.id });
    await emitEvent(db, workspaceId, 'message.delivered', { messageId: m.id, campaignId: 'camp_x' });
    await emitEvent(db, workspaceId, 'message.sent', { messageId: newId('msg') });
    await emitEvent(db, workspaceId, 'lead.completed', { leadId: m.id });
    await emitEvent(db, other.workspaceId, 'message.sent', { messageId: m.id });
    // Written by SQL, not emitEvent; then its data changed; and a messageId that is not a string.
    await db.$executeRaw`INSERT INTO "Event" (id, "workspaceId", type, data) VALUES (${newId('evt')}, ${workspaceId}, 'message.bounced', '{}')`;
    await db.$executeRaw`UPDATE "Event" SET data = jsonb_build_object('messageId', ${m.id}::text) WHERE "workspaceId" = ${workspaceId} AND type = 'message.bounced'`;
    await db.$executeRaw`INSERT INTO "Event" (id, "workspaceId", type, data) VALUES (${newId('evt')}, ${workspaceId}, 'message.sent', jsonb_build_object('messageId', jsonb_build_array(${m.id}::text)))`;

    const byPath = await db.event.findMany({ where: { workspaceId, data: { path: ['messageId'], equals: m.id } } });
    expect(byPath).toHaveLength(3);
    expect(ids(await messageEvents(db, m))).toEqual(ids(byPath));
  });

  it("finds a replier's colleagues as email LIKE '%@domain' did, and none at a free-mail domain", async () => {
    const { db } = testDeps();
    const { workspaceId } = await newWorkspace(db);
    const other = await newWorkspace(db);
    const domain = `acme-${uniq()}.com`;
    const lead = (email: string, ws = workspaceId) => ({ id: newId('lead'), workspaceId: ws, email });
    const replier = lead(`ann@${domain}`);
    await db.lead.createMany({
      data: [replier, lead(`bob@${domain}`), lead(`cy@sub.${domain}`), lead(`dee@${domain}.evil.com`), lead(`eve@${domain}`, other.workspaceId), lead(`gil@gmail.com`), lead(`hal@gmail.com`)],
    });
    // Written by bulk SQL, and an address that changed domain.
    await db.$executeRaw`INSERT INTO "Lead" (id, "workspaceId", email, "customFields", "updatedAt") VALUES (${newId('lead')}, ${workspaceId}, ${`fay@${domain}`}, '{}', now())`;
    await db.$executeRaw`UPDATE "Lead" SET email = ${`dee@${domain}`} WHERE email = ${`dee@${domain}.evil.com`}`;

    const byPattern = await db.lead.findMany({ where: { workspaceId, email: { endsWith: `@${domain}` }, id: { not: replier.id } }, select: { id: true } });
    expect(byPattern).toHaveLength(3);
    expect((await findColleagues(db, { workspaceId, email: replier.email, leadId: replier.id })).sort()).toEqual(ids(byPattern));
    const gil = await db.lead.findFirstOrThrow({ where: { workspaceId, email: 'gil@gmail.com' } });
    expect(await findColleagues(db, { workspaceId, email: gil.email, leadId: gil.id })).toEqual([]);
  });
});
