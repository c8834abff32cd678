import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servicesOf } from '../../src/api/context.js';
import { newId } from '../../src/domain/ids.js';
import { createLogger } from '../../src/logger.js';
import { emitEvent, relayUndispatched } from '../../src/webhooks/events.js';
import { prepareWorkerStart } from '../../src/worker/start-up.js';
import { newWorkspace, testApp, testDeps } from '../helpers/deps.js';
import { uniq } from '../helpers/fixtures.js';
import { startReceiver } from '../helpers/receiver.js';
import { eventually, startTestWorker } from '../helpers/worker.js';

// SPEC §9: webhook secrets are stored only encrypted, yet every delivery is signed with them.
describe('webhook secrets at rest', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    await startTestWorker();
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  /** An event of the workspace, handed to its webhooks; answers the request its receiver got. */
  const deliverOne = async (workspaceId: string) => {
    const deps = testDeps();
    const event = await emitEvent(deps.db, workspaceId, 'campaign.paused', { campaignId: `camp_${uniq()}` });
    await relayUndispatched(servicesOf(deps), { olderThanMs: 0, workspaceId });
    return eventually(async () => receiver.received.find((r) => r.headers['webhook-id'] === event.id), 30_000, 'delivered');
  };
  const verify = (secret: string, received: Awaited<ReturnType<typeof deliverOne>>) =>
    new Webhook(secret).verify(received.body, received.headers as Record<string, string>);
  const rowOf = async (id: string) => {
    const [row] = await testDeps().db.$queryRaw<{ secret: string }[]>`SELECT * FROM "Webhook" WHERE id = ${id}`;
    return row!;
  };
  const expectSealed = (row: { secret: string }, secret: string) => {
    expect(JSON.stringify(row)).not.toContain(secret.slice('whsec_'.length));
    expect(row.secret).not.toMatch(/^whsec_/);
  };

  it('keeps no plaintext secret in the Webhook row, and deliveries still verify with the secret shown at creation', async () => {
    const { api, workspaceId } = await testApp();
    const created = await api.post('/v1/webhooks', { url: receiver.url, events: ['campaign.paused'] });
    expect(created.status).toBe(201);
    const { id, secret } = created.body.data;
    expectSealed(await rowOf(id), secret);
    expect(verify(secret, await deliverOne(workspaceId))).toMatchObject({ event: 'campaign.paused' });
  });

  it('encrypts a legacy plaintext secret on its first use, and every one left when a worker starts', async () => {
    const deps = testDeps();
    const { workspaceId } = await newWorkspace(deps.db);
    const legacy = async () => {
      const secret = `whsec_${randomBytes(32).toString('base64')}`;
      const hook = await deps.db.webhook.create({ data: { id: newId('wh'), workspaceId, url: receiver.url, events: ['campaign.paused'], secret } });
      return { id: hook.id, secret };
    };
    const used = await legacy();
    expect(verify(used.secret, await deliverOne(workspaceId))).toMatchObject({ event: 'campaign.paused' });
    expectSealed(await rowOf(used.id), used.secret);

    await deps.db.webhook.update({ where: { id: used.id }, data: { deletedAt: new Date() } });
    const idle = await legacy();
    await prepareWorkerStart({ client: deps.temporal, db: deps.db, config: deps.config, logger: createLogger('silent', 'test') });
    expectSealed(await rowOf(idle.id), idle.secret);
    expect(verify(idle.secret, await deliverOne(workspaceId))).toMatchObject({ event: 'campaign.paused' });
  });
});
