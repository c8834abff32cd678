import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/worker.js';
import { expectEachStepOnce, finishedStats, showOutputOnFailure } from '../faults/stack.js';
import { useProductionStack } from './stack.js';

/** The seed's campaign, as the README's walkthrough creates it (step 2 due at once). */
const SEED_STEPS = [
  { stepNumber: 1, delayDays: 0, subject: 'Quick question, {{firstName}}', bodyHtml: '<p>Hi {{firstName}},</p><p>I noticed {{company}} is expanding its sales team.</p>' },
  { stepNumber: 2, delayDays: 0, subject: 'Following up, {{firstName}}', bodyHtml: '<p>Hi {{firstName|there}},</p><p>Just wanted to bump this in case it got buried.</p>' },
];

describe('the production shape: the Temporal server on PostgreSQL, the worker and the API from their entry points', () => {
  const ctx = useProductionStack('walkthrough');

  it('runs the seed walkthrough, and the Temporal UI filters find its workflows by every search attribute', async () => {
    const { stack, temporal } = ctx;
    showOutputOnFailure(stack);
    const { api, workspaceId } = await stack.newWorkspace('walkthrough');
    const created = await api.post('/v1/campaigns', { name: 'VP Sales — AI Workflow Q1', sequenceSteps: SEED_STEPS });
    expect(created).toMatchObject({ status: 201, body: { data: { status: 'draft', sequenceSteps: 2 } } });
    const id: string = created.body.data.id;
    const bulk = await api.post(`/v1/campaigns/${id}/leads/bulk`, {
      leads: [
        { email: 'jane@acme.com', firstName: 'Jane', company: 'Acme', city: 'Berlin' },
        { email: 'raj@globex.com', company: 'Globex' },
      ],
    });
    expect(bulk.body).toEqual({ data: { enrolled: 2, updated: 0, skipped: 0, total: 2 } });
    const preview = await api.get(`/v1/campaigns/${id}/preview?email=raj@globex.com`);
    expect(preview.body.data.emptyTokens).toEqual(['firstName']);
    expect((await api.post(`/v1/campaigns/${id}/start`)).body.data.status).toBe('running');

    const stats = await finishedStats(stack, api, id, 120_000);
    expect(stats.metrics).toMatchObject({ sent: 4, queued: 0, bounced: 0 });
    expect(await expectEachStepOnce(stack, id, 2)).toEqual({ sent: 4, failed: 0, enrollments: 2 });
    const leads = (await api.get(`/v1/campaigns/${id}/leads`)).body.data as { leadId: string; email: string; status: string }[];
    expect(leads.map((l) => l.status)).toEqual(['completed', 'completed']);
    const jane = leads.find((l) => l.email === 'jane@acme.com')!;
    const timeline = (await api.get(`/v1/campaigns/${id}/leads/${jane.leadId}`)).body.data.messages as { subject: string }[];
    expect(timeline.map((m) => m.subject)).toEqual(['Quick question, Jane', 'Following up, Jane']);

    // What ops type into the Temporal UI's filter box: SQL visibility answers each (it lags a little).
    const count = async (query: string) => (await temporal.workflow.count(query)).count;
    const enrollments = `CampaignId = "${id}" AND WorkflowType = "enrollmentWorkflow"`;
    await eventually(async () => (await count(`${enrollments} AND EnrollmentStatus = "completed"`)) === 2, 30_000, 'both enrollments completed in visibility');
    expect(await count(enrollments)).toBe(2);
    expect(await count(`WorkspaceId = "${workspaceId}" AND WorkflowType = "enrollmentWorkflow"`)).toBe(2);
    expect(await count(`LeadEmail = "jane@acme.com" AND CampaignId = "${id}"`)).toBe(1);
    expect(await count(`${enrollments} AND EnrollmentStatus = "waiting"`)).toBe(0);
  });
});
