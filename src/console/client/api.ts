import { session } from './session.js';

/** An error answer of the API: its status and the `error.code` / `error.message` it carries. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | undefined>;

function urlOf(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, String(value));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Called when the key stops working (revoked, or the workspace removed): the console signs out. */
let onUnauthorized: () => void = () => undefined;
export const whenUnauthorized = (handler: () => void) => (onUnauthorized = handler);

async function call<T>(method: 'GET' | 'POST', path: string, query?: Query, key = session.key()): Promise<T> {
  let res: Response;
  try {
    res = await fetch(urlOf(`/v1${path}`, query), { method, headers: { authorization: `Bearer ${key ?? ''}` } });
  } catch {
    throw new ApiFailure(0, 'network_error', 'Sequent could not be reached. Check your connection and try again.');
  }
  const body = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  if (!res.ok) {
    const failure = new ApiFailure(res.status, body?.error?.code ?? 'http_error', body?.error?.message ?? `The API answered ${res.status}.`);
    if (res.status === 401 && key === session.key()) onUnauthorized();
    throw failure;
  }
  return body as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => call<T>('GET', path, query),
  /** The console's writes are the body-less lifecycle calls (pause, resume, stop). */
  post: <T>(path: string) => call<T>('POST', path),
  /** Checks a key before it is kept: the workspace it belongs to, or the API's refusal. */
  checkKey: (key: string) => call<{ data: Workspace }>('GET', '/workspace', undefined, key),
};

export type Workspace = { id: string; name: string; timezone: string };
export type Page<T> = { data: T[]; nextCursor: string | null };

export type CampaignStatus = 'draft' | 'running' | 'paused';
export type Variant = { id: string; subject: string; weight: number };
export type Step = { stepNumber: number; delayDays: number; subject: string; variants: Variant[]; winnerVariantId: string | null };
export type Campaign = { id: string; name: string; status: CampaignStatus; pauseReason: string | null; createdAt: string; steps: Step[] };

export type Metrics = { sent: number; delivered: number; bounced: number; complained: number; replied: number; replyRate: number };
export type Stats = { campaignId: string; enrolledLeads: number; metrics: Metrics & { queued: number } };
export type StatsRow = { key: string; stepNumber: number | null; variantId: string | null; day: string | null; metrics: Metrics };
export type Breakdown = { groupBy: 'step' | 'variant' | 'day'; timezone: string; rows: StatsRow[] };

export type HealthStatus = 'healthy' | 'waiting' | 'draft' | 'paused' | 'blocked' | 'auto_paused';
export type HealthReason = { code: string; message: string; count: number; needsYou: boolean; since: string | null; until: string | null };
export type Health = { status: HealthStatus; reasons: HealthReason[] };

export type Enrollment = {
  leadId: string;
  email: string;
  status: string;
  currentStep: number;
  waitingFor: string | null;
  nextSendAt: string | null;
  stopReason: string | null;
};
export type Reply = { id: string; email: string; campaignId: string | null; leadId: string; classification: string; subject: string | null; receivedAt: string; threadSnippet: string };
