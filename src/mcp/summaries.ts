/**
 * What a tool's answer says in one or two sentences, for the model: the text beside the structured
 * answer, which carries every field.
 */
export type Data = Record<string, unknown>;

/** "1 lead", "2 leads". */
export const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The value at a dotted path of an API answer, as text. */
export function at(data: unknown, path: string): string {
  const value = path.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Data)[key] : undefined), data);
  // A list of names reads as the names; a list of records as how many there are.
  if (Array.isArray(value)) return value.every((v) => typeof v === 'string') ? value.join(', ') || 'none' : String(value.length);
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '–';
}

/** A summary from a template: `{path}` is replaced by that field of the answer's data. */
export const says = (template: string) => (data: unknown) => template.replace(/\{([\w.]+)\}/g, (_m, path: string) => at(data, path));

export const count = (noun: string) => (data: unknown, body: unknown) => {
  const cursor = at(body, 'nextCursor');
  const n = Array.isArray(data) ? data.length : 0;
  return `${n === 0 ? 'No' : n} ${noun}${cursor !== '–' ? `; more with cursor ${cursor}` : ''}.`;
};

/** A rate (0.121) as people read it (12.1 %). */
const percent = (rate: unknown) => (typeof rate === 'number' || (typeof rate === 'string' && rate !== '–') ? `${Math.round(Number(rate) * 1000) / 10} %` : '–');

export function healthSummary(data: unknown): string {
  const reasons = ((data as Data).reasons ?? []) as { code: string; count: number }[];
  return `Health ${at(data, 'status')}${reasons.length ? `: ${reasons.map((r) => `${r.code} (${r.count})`).join(', ')}` : ''}.`;
}

export function statsSummary(data: unknown): string {
  const rows = (data as Data).rows as { key: string; metrics: { sent: number; replied: number; replyRate: number } }[] | undefined;
  if (!rows) {
    const rate = percent(at(data, 'metrics.replyRate'));
    return says(`{enrolledLeads} leads: sent {metrics.sent}, delivered {metrics.delivered}, bounced {metrics.bounced}, replied {metrics.replied} (${rate} of delivered); {metrics.queued} with a step still to come.`)(data);
  }
  const shown = rows.slice(0, 20).map((r) => `${r.key}: sent ${r.metrics.sent}, replied ${r.metrics.replied} (${percent(r.metrics.replyRate)})`);
  return `By ${at(data, 'groupBy')}, ${rows.length} rows. ${shown.join('; ')}${rows.length > shown.length ? '; …' : ''}.`;
}

export function findLeadSummary(data: unknown): string {
  const campaigns = ((data as Data).campaigns ?? []) as { campaignName: string; status: string }[];
  const where = campaigns.length ? `in ${plural(campaigns.length, 'campaign')}: ${campaigns.map((c) => `${c.campaignName} (${c.status})`).join(', ')}` : 'in no campaign';
  return `${says('Lead {lead.email} ({lead.id}) is ')(data)}${where}.` + ((data as Data).suppressed ? says(' Its address is suppressed ({suppressionReason}): it is never mailed.')(data) : '');
}

export function previewSummary(data: unknown): string {
  const d = data as Data;
  const reach = d.suppressed
    ? ' Note: this address is suppressed and will never be mailed.'
    : d.enrollmentStatus === null
      ? ' Note: this lead is not enrolled in this campaign, so it gets none of this.'
      : says(' The lead is {enrollmentStatus} in this campaign.')(data);
  return says('Rendered {steps} steps for {email}; tokens that render empty: {emptyTokens}.')(data) + reach;
}

export function launchSummary(data: unknown): string {
  const d = data as Data;
  if (d.status === 'running') return says('Campaign {campaignId} is already running: starting or resuming it changes nothing.')(data);
  const empty = (d.emptyTokens ?? []) as { token: string; leads: number }[];
  const tokens = empty.length ? ` Empty tokens: ${empty.map((t) => `${t.token} for ${plural(t.leads, 'lead')}`).join(', ')}.` : ' No token renders empty.';
  const going = says(`{verb} campaign {campaignId} ({status}) would set ${plural(Number(d.leads), 'lead')} going through ${plural(Number(d.steps), 'step')}.`)({ ...d, verb: d.status === 'paused' ? 'Resuming' : 'Starting' });
  const fresh = Number(d.newLeads) > 0 ? says(` {newLeads} ${Number(d.newLeads) === 1 ? 'has' : 'have'} not had step 1: {firstDayVolume} can get it on the first day, the first from {firstSendAt}.`)(data) : '';
  const later = Number(d.inSequence) > 0 ? says(' {inSequence} already in the sequence go on with their next step when its delay is over, the first at {nextFollowUpAt}.')(data) : '';
  return going + fresh + later + tokens;
}

/** In feed mode (`after`) the cursor is the next `after`: the agent polls with it, it does not page. */
export function eventsSummary(data: unknown, body: unknown, args: Record<string, unknown>): string {
  if (args.after === undefined) return count('events')(data, body);
  return `${at({ data }, 'data')} events, oldest first; poll again with after: "${at(body, 'nextCursor')}" for the ones after them.`;
}

export function bulkSummary(data: unknown): string {
  const rows = ((data as Data).rows ?? []) as { index: number; outcome: string; mergedInto?: number; errors?: { field: string; message: string }[] }[];
  const merged = rows.filter((r) => r.outcome === 'merged_duplicate').map((r) => `row ${r.index} into row ${r.mergedInto}`);
  const invalid = rows.filter((r) => r.outcome === 'invalid').map((r) => `row ${r.index} (${(r.errors ?? []).map((e) => `${e.field}: ${e.message}`).join('; ')})`);
  return (
    says('Created {enrolled} new leads, updated {updated} existing ones, skipped {skipped} suppressed; each lead written is in the campaign (one already in it keeps its place).')(data) +
    (merged.length ? ` Merged ${merged.length} duplicate ${merged.length === 1 ? 'row' : 'rows'} field by field: ${merged.slice(0, 10).join(', ')}${merged.length > 10 ? ', …' : ''}.` : '') +
    (invalid.length ? ` Left out ${invalid.length} invalid ${invalid.length === 1 ? 'row' : 'rows'}: ${invalid.slice(0, 10).join(', ')}${invalid.length > 10 ? ', …' : ''}.` : '')
  );
}

export function replySummary(data: unknown): string {
  const enrollments = ((data as Data).enrollments ?? []) as { campaignId: string; status: string; waitingFor: string | null; nextSendAt: string | null }[];
  const after = enrollments.map((e) => `in ${e.campaignId} the lead is now ${e.status}${e.waitingFor ? `, waiting for ${e.waitingFor}${e.nextSendAt ? ` until ${e.nextSendAt}` : ''}` : ''}`);
  const colleagues = ((data as Data).colleaguesStoppedEmails ?? []) as string[];
  const company = colleagues.length > 0 ? ` It stopped ${plural(colleagues.length, 'colleague')} at the same company in this campaign: ${colleagues.join(', ')}.` : ' No colleague was stopped.';
  return says('Recorded reply {id}, classified {classification}')(data) + (after.length ? `: ${after.join('; ')}.` : '.') + company;
}
