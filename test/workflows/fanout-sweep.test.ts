import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { TELL_HORIZON_MS } from '../../src/activities/fanout-activities.js';
import { activitiesFromConfig } from '../../src/activities/index.js';
import { pauseCampaign, startCampaign } from '../../src/campaigns/lifecycle.js';
import { createLogger } from '../../src/logger.js';
import { createLocalTransport } from '../../src/mail/local-transport.js';
import { enrollmentWorkflowId } from '../../src/workflows/contract.js';
import { testApp } from '../helpers/deps.js';
import { temporalOrchestrator } from '../../src/workflows/client.js';

describe('the fan-out sweep', () => {
  it('stops starting workflows when the campaign is paused mid-sweep; the rest wait for resume', async () => {
    const { api, deps } = await testApp();
    const id = (await api.post('/v1/campaigns', { name: 'sweep', sequenceSteps: [{ delayDays: 5, subject: 'Hi', bodyHtml: '<p>Hi</p>' }] })).body.data.id;
    const tag = Math.random().toString(36).slice(2, 8);
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: Array.from({ length: 1_200 }, (_, i) => ({ email: `sweep${i}-${tag}@example.com` })) });
    // Running as far as the database knows, without the API's own fan-out racing this one.
    await deps.db.campaign.update({ where: { id }, data: { status: 'running', startedAt: new Date() } });
    // The pause commits while the sweep starts the last workflow of its first page of 500.
    let starts = 0;
    const pauseAt500: ProxyHandler<Client['workflow']> = {
      get(workflow, name) {
        if (name !== 'start') return Reflect.get(workflow, name, workflow) as unknown;
        return async (...args: Parameters<Client['workflow']['start']>) => {
          if (++starts === 500) await deps.db.campaign.update({ where: { id }, data: { status: 'paused', pausedAt: new Date() } });
          return workflow.start(...args);
        };
      },
    };
    const client = new Proxy(deps.temporal, {
      get: (target, name) => (name === 'workflow' ? new Proxy(target.workflow, pauseAt500) : (Reflect.get(target, name, target) as unknown)),
    });
    const { syncCampaign } = activitiesFromConfig(deps.config, { db: deps.db, logger: createLogger('silent', 'test'), client, mailer: createLocalTransport() });

    type Sweep = typeof syncCampaign;
    const sweep = () => new MockActivityEnvironment().run<Parameters<Sweep>, Awaited<ReturnType<Sweep>>, Sweep>(syncCampaign, { campaignId: id });
    const paused = await sweep();
    expect(paused.started).toBe(500);
    expect(await deps.db.enrollment.count({ where: { campaignId: id, workflowStartedAt: { not: null } } })).toBe(paused.started);

    await deps.db.campaign.update({ where: { id }, data: { status: 'running', pausedAt: null } });
    const resumed = await sweep();
    expect(paused.started + resumed.started).toBe(1_200);
    expect(await deps.db.enrollment.count({ where: { campaignId: id, workflowStartedAt: null } })).toBe(0);
  }, 120_000);

  it('resumes every enrollment when a resume lands while the pause sweep is still signalling', async () => {
    const { api, deps } = await testApp();
    const id = (await api.post('/v1/campaigns', { name: 'flip', sequenceSteps: [{ delayDays: 5, subject: 'Hi', bodyHtml: '<p>Hi</p>' }] })).body.data.id;
    const tag = Math.random().toString(36).slice(2, 8);
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: Array.from({ length: 30 }, (_, i) => ({ email: `flip${i}-${tag}@example.com` })) });
    // Running and in line, then paused (an auto-pause): the sweep below tells every workflow.
    await deps.db.enrollment.updateMany({ where: { campaignId: id }, data: { status: 'active', workflowStartedAt: new Date() } });
    await deps.db.campaign.update({ where: { id }, data: { status: 'paused', startedAt: new Date(), syncedStatus: 'running' } });
    const last = new Map<string, string>();
    let signals = 0;
    const client = {
      workflow: {
        getHandle: (workflowId: string) => ({
          signal: async (definition: { name: string }) => {
            // The person resumes while the pause sweep is under way.
            if (++signals === 10) await deps.db.campaign.update({ where: { id }, data: { status: 'running', pausedAt: null } });
            last.set(workflowId, definition.name);
          },
        }),
      },
    } as unknown as Client;
    const { syncCampaign } = activitiesFromConfig(deps.config, { db: deps.db, logger: createLogger('silent', 'test'), client, mailer: createLocalTransport() });
    type Sweep = typeof syncCampaign;
    const sweep = () => new MockActivityEnvironment().run<Parameters<Sweep>, Awaited<ReturnType<Sweep>>, Sweep>(syncCampaign, { campaignId: id });

    expect((await sweep()).signalled).toBe(30); // the pause, to all
    expect((await sweep()).signalled).toBe(30); // the coalesced request the resume made
    expect(last.size).toBe(30);
    expect(new Set(last.values())).toEqual(new Set(['resume']));
  });

  /**
   * 12 started workflows of a running campaign whose fan-out last recorded `synced`; then a pause
   * and a start through the services, before the fan-out runs: the status is as it was, but a
   * claim made meanwhile left its workflow waiting for a resume. Answers a sweep and what it told.
   */
  async function pausedAndStartedBetweenSweeps(name: string, synced: { syncedStatus: 'running' | null; syncedStatusChanges: number }) {
    const { api, deps, workspaceId } = await testApp();
    const id = (await api.post('/v1/campaigns', { name, sequenceSteps: [{ delayDays: 5, subject: 'Hi', bodyHtml: '<p>Hi</p>' }] })).body.data.id;
    const tag = Math.random().toString(36).slice(2, 8);
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: Array.from({ length: 12 }, (_, i) => ({ email: `${name}${i}-${tag}@example.com` })) });
    await deps.db.enrollment.updateMany({ where: { campaignId: id }, data: { status: 'active', workflowStartedAt: new Date() } });
    await deps.db.campaign.update({ where: { id }, data: { status: 'running', startedAt: new Date(), statusChanges: 1, ...synced } });
    const services = { db: deps.db, orchestrator: temporalOrchestrator({ client: deps.temporal, taskQueue: 'nobody-polls' }), now: () => new Date() };
    await pauseCampaign(services, workspaceId, id);
    await startCampaign(services, workspaceId, id);

    const signalled: string[] = [];
    const client = { workflow: { getHandle: () => ({ signal: async (definition: { name: string }) => void signalled.push(definition.name) }) } } as unknown as Client;
    const { syncCampaign } = activitiesFromConfig(deps.config, { db: deps.db, logger: createLogger('silent', 'test'), client, mailer: createLocalTransport() });
    type Sweep = typeof syncCampaign;
    const sweep = () => new MockActivityEnvironment().run<Parameters<Sweep>, Awaited<ReturnType<Sweep>>, Sweep>(syncCampaign, { campaignId: id });
    return { sweep, signalled };
  }

  it('resumes workflows that met a pause the fan-out never saw (paused and started again between two sweeps)', async () => {
    const { sweep, signalled } = await pausedAndStartedBetweenSweeps('blink', { syncedStatus: 'running', syncedStatusChanges: 1 });
    await sweep();
    expect(signalled).toEqual(Array(12).fill('resume'));
    // In line now: the next sweep tells nobody anything.
    signalled.length = 0;
    await sweep();
    expect(signalled).toEqual([]);
  });

  it('resumes workflows that met a pause after the first sweep was cut off before it recorded what it told', async () => {
    // The first start's sweep started every workflow and was killed before it wrote syncedStatus
    // (history checker seeds 1191, 1325, 1326: a worker SIGKILLed after a start).
    const { sweep, signalled } = await pausedAndStartedBetweenSweeps('cut', { syncedStatus: null, syncedStatusChanges: 0 });
    await sweep();
    expect(signalled).toEqual(Array(12).fill('resume'));
  });

  it('starts over when its retry finds the campaign changed since the last checkpoint: the workflows before it were told the old status', async () => {
    // History checker seed 3383: a pause sweep told every workflow and checkpointed, then its worker
    // was SIGKILLed before it recorded what it told; the campaign was started meanwhile, and the
    // retry, going on from the checkpoint, told the resume to no one.
    const { api, deps, workspaceId } = await testApp();
    const id = (await api.post('/v1/campaigns', { name: 'retry', sequenceSteps: [{ delayDays: 5, subject: 'Hi', bodyHtml: '<p>Hi</p>' }] })).body.data.id;
    const tag = Math.random().toString(36).slice(2, 8);
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: Array.from({ length: 12 }, (_, i) => ({ email: `retry${i}-${tag}@example.com` })) });
    await deps.db.enrollment.updateMany({ where: { campaignId: id }, data: { status: 'active', workflowStartedAt: new Date() } });
    await deps.db.campaign.update({ where: { id }, data: { status: 'running', startedAt: new Date(), statusChanges: 1, syncedStatus: 'running', syncedStatusChanges: 1 } });
    const services = { db: deps.db, orchestrator: temporalOrchestrator({ client: deps.temporal, taskQueue: 'nobody-polls' }), now: () => new Date() };
    await pauseCampaign(services, workspaceId, id);

    const last = new Map<string, string>();
    const client = { workflow: { getHandle: (workflowId: string) => ({ signal: async (definition: { name: string }) => void last.set(workflowId, definition.name) }) } } as unknown as Client;
    const { syncCampaign } = activitiesFromConfig(deps.config, { db: deps.db, logger: createLogger('silent', 'test'), client, mailer: createLocalTransport() });
    type Sweep = typeof syncCampaign;
    const first = new MockActivityEnvironment();
    let cursor: unknown;
    first.on('heartbeat', (details: unknown) => (cursor = details));
    expect((await first.run<Parameters<Sweep>, Awaited<ReturnType<Sweep>>, Sweep>(syncCampaign, { campaignId: id })).signalled).toBe(12);
    expect(new Set(last.values())).toEqual(new Set(['pause']));
    // Cut off after its checkpoint: what it told was never recorded.
    await deps.db.campaign.update({ where: { id }, data: { syncedStatus: 'running', syncedStatusChanges: 1 } });
    await startCampaign(services, workspaceId, id);

    const retry = new MockActivityEnvironment({ heartbeatDetails: cursor });
    expect((await retry.run<Parameters<Sweep>, Awaited<ReturnType<Sweep>>, Sweep>(syncCampaign, { campaignId: id })).signalled).toBe(12);
    expect(last.size).toBe(12);
    expect(new Set(last.values())).toEqual(new Set(['resume']));
  });

  it('tells a pause and its resume only to workflows that may act before they next read the database', async () => {
    const { api, deps } = await testApp();
    const id = (await api.post('/v1/campaigns', { name: 'horizon', sequenceSteps: [{ delayDays: 5, subject: 'Hi', bodyHtml: '<p>Hi</p>' }] })).body.data.id;
    const tag = Math.random().toString(36).slice(2, 8);
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: Array.from({ length: 4 }, (_, i) => ({ email: `h${i}-${tag}@example.com` })) });
    const rows = await deps.db.enrollment.findMany({ where: { campaignId: id }, orderBy: { id: 'asc' } });
    const soon = new Date(Date.now() + TELL_HORIZON_MS / 2);
    const later = new Date(Date.now() + 2 * TELL_HORIZON_MS);
    // In a send (no planned time), due within the horizon, asleep past it, waiting until told.
    const plans: [Date | null, string | null][] = [[null, null], [soon, 'provider_retry'], [later, 'delay'], [null, 'campaign_paused']];
    for (const [i, [nextSendAt, waitingFor]] of plans.entries()) {
      await deps.db.enrollment.update({ where: { id: rows[i]!.id }, data: { status: 'active', workflowStartedAt: new Date(), nextSendAt, waitingFor: waitingFor as never } });
    }
    await deps.db.campaign.update({ where: { id }, data: { status: 'paused', startedAt: new Date(), syncedStatus: 'running' } });
    const told: string[] = [];
    const client = { workflow: { getHandle: (workflowId: string) => ({ signal: async () => void told.push(workflowId) }) } } as unknown as Client;
    const { syncCampaign } = activitiesFromConfig(deps.config, { db: deps.db, logger: createLogger('silent', 'test'), client, mailer: createLocalTransport() });
    type Sweep = typeof syncCampaign;
    const sweep = () => new MockActivityEnvironment().run<Parameters<Sweep>, Awaited<ReturnType<Sweep>>, Sweep>(syncCampaign, { campaignId: id });
    const expected = [0, 1, 3].map((i) => enrollmentWorkflowId(rows[i]!.id)).sort();

    expect((await sweep()).signalled).toBe(3);
    expect(told.sort()).toEqual(expected);
    told.length = 0;
    await deps.db.campaign.update({ where: { id }, data: { status: 'running', pausedAt: null } });
    expect((await sweep()).signalled).toBe(3);
    expect(told.sort()).toEqual(expected);
  });
});
