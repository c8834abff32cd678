import { describe, expect, inject, it } from 'vitest';
import { eventually } from '../helpers/worker.js';
import { showOutputOnFailure } from '../faults/stack.js';
import { temporalDatabaseBytes } from '../../scripts/lib/temporal-server.js';
import { useProductionStack } from './stack.js';

const temporalBytes = () => temporalDatabaseBytes(inject('productionTemporalDb')!);

const LEADS = 2_000;

describe('the production shape: what sleeping enrollments cost the Temporal server on PostgreSQL, and what a pause costs them', () => {
  const ctx = useProductionStack('storage');

  it(`${LEADS.toLocaleString('en')} enrollments waiting out a 3-day delay: bytes each in Temporal's databases, then a pause that wakes none of them`, async () => {
    const { stack, temporal } = ctx;
    showOutputOnFailure(stack);
    const { api } = await stack.newWorkspace('storage');
    const id: string = (await api.post('/v1/campaigns', { name: 'storage', sequenceSteps: [{ delayDays: 3, subject: 'Hi {{firstName}}', bodyHtml: '<p>Hi</p>' }] })).body.data.id;
    const bulk = await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: Array.from({ length: LEADS }, (_, i) => ({ email: `s${i}@storage.example.com`, firstName: `S${i}` })) });
    expect(bulk.body.data.enrolled).toBe(LEADS);
    const before = await temporalBytes();
    const started = performance.now();
    await api.post(`/v1/campaigns/${id}/start`);
    await eventually(async () => (await stack.db.enrollment.count({ where: { campaignId: id, workflowStartedAt: { not: null } } })) === LEADS, 240_000, 'every workflow started');
    const startSeconds = (performance.now() - started) / 1000;
    const running = `CampaignId = "${id}" AND WorkflowType = "enrollmentWorkflow" AND ExecutionStatus = "Running"`;
    await eventually(async () => (await temporal.workflow.count(running)).count === LEADS, 60_000, 'visibility shows them all');
    const perEnrollment = Math.round(((await temporalBytes()) - before) / LEADS);

    const pausing = performance.now();
    expect((await api.post(`/v1/campaigns/${id}/pause`)).body.data.status).toBe('paused');
    // Asleep for days, none is due before the horizon: the sweep tells none of them (decision 71).
    await eventually(async () => (await stack.db.campaign.findUniqueOrThrow({ where: { id } })).syncedStatus === 'paused', 240_000, 'pause synced');
    const pauseSeconds = (performance.now() - pausing) / 1000;
    expect((await temporal.workflow.count(`${running} AND EnrollmentStatus = "waiting"`)).count).toBe(LEADS);
    const page = (await api.get(`/v1/campaigns/${id}/leads?limit=100`)).body.data;
    expect(page.every((l: { waitingFor: string }) => l.waitingFor === 'campaign_paused')).toBe(true);
    // Nothing was sent: the delay has days to run.
    expect(stack.acceptedFor(id)).toHaveLength(0);
    expect(perEnrollment).toBeGreaterThan(0);
    process.stdout.write(
      `[storage] ${LEADS} enrollments started in ${startSeconds.toFixed(1)} s (${Math.round(LEADS / startSeconds)}/s); ` +
        `Temporal's databases grew ${perEnrollment} B per sleeping enrollment; the pause was in line ${pauseSeconds.toFixed(1)} s after its 200, waking none of them\n`,
    );
  });
});
