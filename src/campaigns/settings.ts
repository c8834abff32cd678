import type { SendingWindow } from '../domain/schedule.js';

/**
 * SPEC §10: a running campaign pauses itself when its bounces or complaints pass these shares of
 * its sends, once it has sent `minSent` (fewer sends say little). Defaults sit well inside the
 * lines Resend (4 % bounces, 0.08 % complaints) and Gmail/Yahoo (0.3 % spam) draw.
 */
export type AutoPausePolicy = { bounceRate: number; complaintRate: number; minSent: number };
export const DEFAULT_AUTO_PAUSE: AutoPausePolicy = { bounceRate: 0.03, complaintRate: 0.001, minSent: 50 };

/** SPEC §12: choose a step's winning variant once every variant has this many deliveries. */
export type AutoOptimize = { minDeliveredPerVariant: number };
export const DEFAULT_AUTO_OPTIMIZE: AutoOptimize = { minDeliveredPerVariant: 100 };

/** SPEC §12: what a reply of each class does to the lead's sequence in the campaign it answered. */
export type ReplyAction = 'stop' | 'hold';
export type OnReply = { interested: ReplyAction; not_interested: ReplyAction; out_of_office: ReplyAction };
export const DEFAULT_ON_REPLY: OnReply = { interested: 'stop', not_interested: 'stop', out_of_office: 'hold' };

export type CampaignSettings = {
  sendingWindow: SendingWindow | null;
  stopCompanyOnReply: boolean;
  /** null turns the campaign's own guard off (the workspace's still applies). */
  autoPause: AutoPausePolicy | null;
  /** SPEC §10: at most this many leads get step 1 per day (workspace time zone); null: no cap. */
  dailyNewLeads: number | null;
  /** null (the default): variants keep their weights for good. */
  autoOptimize: AutoOptimize | null;
  onReply: OnReply;
};

export type SettingsPatch = Partial<Omit<CampaignSettings, 'autoPause' | 'autoOptimize' | 'onReply'>> & {
  autoPause?: Partial<AutoPausePolicy> | null | undefined;
  autoOptimize?: Partial<AutoOptimize> | null | undefined;
  onReply?: { [K in keyof OnReply]?: ReplyAction | undefined } | undefined;
};

export const DEFAULT_SETTINGS: CampaignSettings = { sendingWindow: null, stopCompanyOnReply: false, autoPause: DEFAULT_AUTO_PAUSE, dailyNewLeads: null, autoOptimize: null, onReply: DEFAULT_ON_REPLY };

/** Stored settings with every default filled in (rows written before a setting existed lack it). */
export function readSettings(raw: unknown): CampaignSettings {
  const stored = raw && typeof raw === 'object' ? (raw as Partial<CampaignSettings>) : {};
  return {
    ...DEFAULT_SETTINGS,
    ...stored,
    autoPause: stored.autoPause === null ? null : { ...DEFAULT_AUTO_PAUSE, ...(stored.autoPause ?? {}) },
    autoOptimize: stored.autoOptimize ? { ...DEFAULT_AUTO_OPTIMIZE, ...stored.autoOptimize } : null,
    onReply: { ...DEFAULT_ON_REPLY, ...(stored.onReply ?? {}) },
  };
}

/** A PATCH's settings over the stored ones: what it names changes, the rest stays. */
export function mergeSettings(current: unknown, patch: SettingsPatch | undefined): CampaignSettings {
  const base = readSettings(current);
  if (!patch) return base;
  return {
    sendingWindow: patch.sendingWindow === undefined ? base.sendingWindow : patch.sendingWindow,
    stopCompanyOnReply: patch.stopCompanyOnReply ?? base.stopCompanyOnReply,
    autoPause: patch.autoPause === undefined ? base.autoPause : patch.autoPause === null ? null : { ...(base.autoPause ?? DEFAULT_AUTO_PAUSE), ...patch.autoPause },
    dailyNewLeads: patch.dailyNewLeads === undefined ? base.dailyNewLeads : patch.dailyNewLeads,
    autoOptimize: patch.autoOptimize === undefined ? base.autoOptimize : patch.autoOptimize === null ? null : { ...(base.autoOptimize ?? DEFAULT_AUTO_OPTIMIZE), ...patch.autoOptimize },
    onReply: { ...base.onReply, ...definedOnly(patch.onReply ?? {}) },
  };
}

const definedOnly = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<{ [K in keyof T]: Exclude<T[K], undefined> }>;
