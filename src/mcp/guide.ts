import { TOOLS } from './catalog.js';

/**
 * One step of the agent guide: a tool call an agent makes, with arguments it can copy. `{name}` in
 * an argument stands for a value an earlier step answered (`expect` names it). The guide's test
 * runs these calls in order, so the guide cannot drift from what the tools do.
 */
export type GuideStep = {
  title: string;
  tool: string;
  args: Record<string, unknown>;
  /** What to read in the answer before going on. */
  check: string;
  /** Values the answer holds that later steps use: placeholder → path in the answer (`data.id`). */
  keep?: Record<string, string>;
  /** What the answer must show for the step to have done its job (the test asserts it). */
  expect: Record<string, unknown>;
};

export const GUIDE_TITLE = 'Run a campaign safely';

const STEPS: GuideStep[] = [
  {
    title: 'Draft the campaign',
    tool: 'create_campaign',
    args: {
      name: 'Q1 outreach',
      sequenceSteps: [
        { stepNumber: 1, delayDays: 0, subject: 'Quick question, {{firstName|there}}', bodyHtml: '<p>Hi {{firstName|there}}, does {{company}} still hire SDRs?</p>' },
        { stepNumber: 2, delayDays: 3, subject: '', bodyHtml: '<p>Following up on my note.</p>' },
      ],
      settings: { sendingWindow: { timezone: 'lead', fallbackTimezone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }, stopCompanyOnReply: true },
    },
    check: 'A draft sends nothing. Keep `data.id`; an empty subject on a later step keeps the thread ("Re: …").',
    keep: { campaignId: 'data.id' },
    expect: { data: { status: 'draft', sequenceSteps: 2 } },
  },
  {
    title: 'Add the leads, letting a bad row skip instead of failing the list',
    tool: 'add_leads',
    args: {
      campaignId: '{campaignId}',
      onInvalid: 'skip',
      leads: [
        { email: 'ana@acme.io', firstName: 'Ana', company: 'Acme', timezone: 'Europe/Lisbon' },
        { email: 'raj@globex.com', firstName: 'Raj' },
        { email: 'not-an-address' },
      ],
    },
    check: '`enrolled` and `skipped` count the leads; `rows` names each row left out (its index and why) and each duplicate merged into an earlier one.',
    expect: { data: { enrolled: 2, rows: [{ index: 2, outcome: 'invalid' }] } },
  },
  {
    title: 'Read one lead\'s mail as it would go out',
    tool: 'preview_campaign',
    args: { campaignId: '{campaignId}', email: 'raj@globex.com' },
    check: 'Every step rendered for that lead, and `emptyTokens`: fields it lacks (Raj has no company). Fix the data with add_leads, or give the token a fallback.',
    expect: { data: { emptyTokens: ['company'] } },
  },
  {
    title: 'See when each step would go (dry run)',
    tool: 'lead_schedule',
    args: { campaignId: '{campaignId}', leadId: '{leadId}' },
    check: 'Each remaining step with its planned time and `plannedBecause` (delay, window, capacity, pacing). `plannedAsIf: "started_now"`: a draft\'s times hold if it starts now and move with a later start.',
    expect: { data: { plannedAsIf: 'started_now', steps: [{ stepNumber: 1 }, { stepNumber: 2 }] } },
  },
  {
    title: 'Check what starting would do',
    tool: 'launch_preview',
    args: { campaignId: '{campaignId}' },
    check: '`leads`, `firstDayVolume`, `firstSendAt` and `emptyTokens` over every lead. Stop here if a number surprises you.',
    expect: { data: { leads: 2, status: 'draft' } },
  },
  {
    title: 'Start, confirmed',
    tool: 'start_campaign',
    args: { campaignId: '{campaignId}', confirm: true },
    check: 'Real mail goes out. Where your client can ask its person, the person is asked; otherwise only `confirm: true` starts it, and without it you get the preview again.',
    expect: { data: { status: 'running' } },
  },
  {
    title: 'Watch its health',
    tool: 'campaign_health',
    args: { campaignId: '{campaignId}' },
    check: '`status`: healthy, waiting (passes by itself: a closed window, a used-up day), blocked or auto_paused (needs you), paused or draft. Each of `reasons` says how many leads it holds and `needsYou`: whether only you can clear it (a sender in error, an auto-pause).',
    expect: { data: {} },
  },
  {
    title: 'Follow the feed',
    tool: 'list_events',
    args: { after: '', type: 'campaign.*' },
    check: 'Every change, oldest first: sends, deliveries, bounces, replies, leads enrolled, held and stopped. Pass `nextCursor` as the next `after` and each event comes once; `type` narrows it to a list of types or families (`lead.*`), or leave it out for everything.',
    expect: { data: [{ event: 'campaign.created' }, { event: 'campaign.started' }] },
  },
  {
    title: 'Pause at once when something is wrong',
    tool: 'pause_campaign',
    args: { campaignId: '{campaignId}' },
    check: 'Nothing more is sent from the moment it answers; resume_campaign picks each lead up where it was.',
    expect: { data: { status: 'paused' } },
  },
];

export const GUIDE_STEPS: readonly GuideStep[] = STEPS;

/** Between steps the guide reads one lead's id from the leads it added. */
export const GUIDE_LOOKUPS: Record<string, { tool: string; args: Record<string, unknown>; path: string }> = {
  leadId: { tool: 'list_leads', args: { campaignId: '{campaignId}' }, path: 'data.0.leadId' },
};

function restOf(tool: string) {
  const spec = TOOLS.find((t) => t.name === tool);
  if (!spec) throw new Error(`guide step names no tool: ${tool}`);
  return `${spec.method.toUpperCase()} ${spec.path.replace('{id}', '{campaignId}')}`;
}

/**
 * The guide as Markdown, in the tools' terms; `rest` adds each step's HTTP call for agents that use
 * the REST API instead (`GET /v1/guide`).
 */
export function guideMarkdown({ rest = false }: { rest?: boolean } = {}): string {
  const steps = STEPS.map((s, i) => {
    const call = rest ? ` (REST: \`${restOf(s.tool)}\`)` : '';
    return [`## ${i + 1}. ${s.title}`, '', `Call \`${s.tool}\`${call} with:`, '', '```json', JSON.stringify(s.args, null, 2), '```', '', s.check].join('\n');
  });
  return [
    `# ${GUIDE_TITLE}`,
    '',
    'Sequent sends multi-step email sequences; every lead is a durable workflow. Nothing is sent until a campaign starts, and a pause stops sending at once. The safe order:',
    '',
    steps.join('\n\n'),
    '',
    '`{campaignId}` and `{leadId}` stand for the ids earlier answers gave (list_leads gives a lead\'s id).',
    '',
  ].join('\n');
}
