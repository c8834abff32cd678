import { bulkSummary, count, eventsSummary, healthSummary, findLeadSummary, launchSummary, previewSummary, replySummary, says, statsSummary } from './summaries.js';
import type { ToolSpec } from './tools.js';

const campaign = { id: 'campaignId' };
const lead = { id: 'campaignId', leadId: 'leadId' };

// Descriptions speak of tools and their arguments, never of the HTTP API under them (an agent with
// only these tools sees no paths, headers or status codes; a test holds it).
const CAMPAIGN_TOOLS: ToolSpec[] = [
  {
    name: 'list_campaigns', title: 'List campaigns', method: 'get', path: '/v1/campaigns', readOnly: true, summarize: count('campaigns'),
    description: 'The workspace\'s campaigns, newest first, a page at a time (pass `cursor` from the answer for the next page); filter with `status`.',
  },
  {
    name: 'get_campaign', title: 'Get a campaign', method: 'get', path: '/v1/campaigns/{id}', params: campaign, readOnly: true,
    summarize: says('Campaign "{name}" ({id}) is {status}, {steps} steps, health {health.status}.'),
    description: 'One campaign: its steps, settings, status, `version` (for `ifMatch` in update_campaign and add_step_variant) and a short health verdict.',
  },
  {
    name: 'create_campaign', title: 'Create a draft campaign', method: 'post', path: '/v1/campaigns',
    summarize: says('Created draft campaign "{name}" ({id}) with {sequenceSteps} steps. Nothing is sent until it is started.'),
    description:
      'Creates a campaign as a draft, with its steps (each a subject, an HTML body and `delayDays` after the previous step) and settings. Nothing is sent until start_campaign. ' +
      'The answer is the campaign in short (its id, status and how many steps); get_campaign shows the settings in force, defaults filled in. ' +
      'Next: add_leads, then preview_campaign for one lead and launch_preview, then start_campaign.',
  },
  {
    name: 'update_campaign', title: 'Update a campaign', method: 'patch', path: '/v1/campaigns/{id}', params: campaign, idempotent: true,
    summarize: says('Updated campaign "{name}" ({id}).'),
    description:
      'Changes only the arguments given: `name` and `settings` in any status (a setting left out keeps its value), `sequenceSteps` (replacing every step) only while the campaign is a draft. ' +
      'Pass `ifMatch` with the version you read to change nothing if someone changed it since.',
  },
  {
    name: 'add_step_variant', title: 'Add a variant to a step (A/B test)', method: 'post', path: '/v1/campaigns/{id}/steps/{stepNumber}/variants', params: { id: 'campaignId', stepNumber: 'stepNumber' },
    summarize: says('Step {stepNumber} now has {variants} variants.'),
    description: 'Adds another subject and body to one step: each lead gets one variant of the step, chosen by weight, and campaign_stats with groupBy "variant" compares them. Allowed in any status; leads that already got the step keep theirs.',
  },
  {
    name: 'preview_campaign', title: 'Render a campaign for one lead', method: 'get', path: '/v1/campaigns/{id}/preview', params: campaign, readOnly: true,
    summarize: previewSummary,
    description: 'Every step as one lead would get it (subject and body with their tokens filled, in the variant it is assigned), every variant of an A/B test rendered for it too, and the tokens that would render empty for that lead. Give the lead by `leadId` or `email`. The answer says whether the lead is in this campaign (`enrollmentStatus`) and whether it is suppressed: a lead that is neither enrolled nor mailable never gets this.',
  },
  {
    name: 'launch_preview', title: 'What starting would do', method: 'get', path: '/v1/campaigns/{id}/launch-preview', params: campaign, readOnly: true, summarize: launchSummary,
    description: 'What starting (or resuming) the campaign now would do, without doing it: how many leads it sets going, how many can get step 1 on the first day, when the first mail can go, and which tokens render empty for how many leads.',
  },
  {
    name: 'start_campaign', title: 'Start a campaign', method: 'post', path: '/v1/campaigns/{id}/start', params: campaign, confirm: true, idempotent: true, openWorld: true,
    summarize: says('Campaign {id} is {status}.'),
    description:
      'Starts a draft campaign (every enrolled lead begins at step 1) or resumes a paused one where each lead was. Real mail goes out. ' +
      'Without `confirm: true` nothing is sent and the answer is what would happen (as launch_preview), unless your client confirms with you first. On a running campaign it changes nothing.',
  },
  {
    name: 'pause_campaign', title: 'Pause a campaign', method: 'post', path: '/v1/campaigns/{id}/pause', params: campaign, idempotent: true,
    summarize: says('Campaign {id} is {status}: nothing more is sent until it is resumed.'),
    description: 'Pauses a running campaign: once this answers, no mail of it goes out, not even a retry. Leads keep their place; resume_campaign continues. On a draft or paused campaign it changes nothing.',
  },
  {
    name: 'resume_campaign', title: 'Resume a campaign', method: 'post', path: '/v1/campaigns/{id}/resume', params: campaign, confirm: true, idempotent: true, openWorld: true,
    summarize: says('Campaign {id} is {status}.'),
    description:
      'Resumes a paused campaign where each lead was; no step is repeated. Real mail goes out. Without `confirm: true` nothing is sent and the answer is what resuming would do. ' +
      'A draft cannot be resumed (start it); a running campaign is left as it is.',
  },
  {
    name: 'campaign_health', title: 'Why a campaign is or is not sending', method: 'get', path: '/v1/campaigns/{id}/health', params: campaign, readOnly: true, summarize: healthSummary,
    description: 'Whether the campaign is sending and, if not, why: each reason with how many leads it holds, whether it passes by itself or needs you, and what to do.',
  },
  {
    name: 'campaign_stats', title: 'Campaign metrics', method: 'get', path: '/v1/campaigns/{id}/stats', params: campaign, readOnly: true, summarize: statsSummary,
    description: 'Sent, delivered, bounced, replied (with rates) and more for the campaign; `groupBy` "step", "variant" or "day" breaks them down.',
  },
];

const LEAD_TOOLS: ToolSpec[] = [
  {
    name: 'add_leads', title: 'Add leads to a campaign', method: 'post', path: '/v1/campaigns/{id}/leads/bulk', params: campaign, idempotent: true, skippableItems: 'leads', summarize: bulkSummary,
    description:
      'Creates or updates up to 10,000 leads and enrolls them in the campaign. A known email updates that lead (only the fields given change) and is enrolled if not yet in the campaign; suppressed addresses are skipped. ' +
      'The same email twice merges field by field. With `onInvalid: "skip"` invalid rows are left out and reported by index; otherwise one invalid row fails the call and nothing is written. In a running campaign new leads start at once.',
  },
  {
    name: 'list_leads', title: "List a campaign's leads", method: 'get', path: '/v1/campaigns/{id}/leads', params: campaign, readOnly: true, summarize: count('leads'),
    description: 'The campaign\'s leads in enrollment order, a page at a time: each with its status, steps sent, what it waits for (`waitingFor`) and when its next step is planned (`nextSendAt`).',
  },
  {
    name: 'find_lead', title: 'Find a lead in the workspace', method: 'get', path: '/v1/leads/{lead}', params: { lead: 'leadId' }, readOnly: true,
    summarize: findLeadSummary,
    description: 'A lead by its id or email address, without knowing its campaign: its fields, whether it is suppressed (never mailed) and why, and its status in every campaign it is in.',
  },
  {
    name: 'get_lead', title: "A lead's enrollment and timeline", method: 'get', path: '/v1/campaigns/{id}/leads/{leadId}', params: lead, readOnly: true,
    summarize: says('Lead {lead.email}: {status}, step {currentStep}, waiting for {waitingFor}.'),
    description: 'One lead in one campaign: its fields, status, what it waits for, and every message with its rendered subject, sender and delivery times.',
  },
  {
    name: 'lead_schedule', title: "A lead's remaining steps, planned (dry run)", method: 'get', path: '/v1/campaigns/{id}/leads/{leadId}/schedule', params: lead, readOnly: true,
    summarize: says('{steps} steps still to come for {email}, the next at {steps.0.plannedAt}.'),
    description: 'When each step still to come would go to this lead, by the same rules the sender follows (delays, window, capacity, pacing), with what holds each one back. Changes nothing.',
  },
  {
    name: 'pause_lead', title: 'Pause one lead', method: 'post', path: '/v1/campaigns/{id}/leads/{leadId}/pause', params: lead, idempotent: true,
    summarize: says('Lead {lead.email} is {status}.'),
    description: 'Pauses one lead: nothing more is sent to it until resume_lead; the rest of the campaign goes on. A finished lead is left as it is.',
  },
  {
    name: 'resume_lead', title: 'Resume one lead', method: 'post', path: '/v1/campaigns/{id}/leads/{leadId}/resume', params: lead, idempotent: true, openWorld: true,
    summarize: says('Lead {lead.email} is {status}.'),
    description: 'Resumes a lead paused with pause_lead where it was; a step that fell due meanwhile goes out now (within the window, capacity and pacing).',
  },
  {
    name: 'stop_lead', title: 'Stop one lead for good', method: 'post', path: '/v1/campaigns/{id}/leads/{leadId}/stop', params: lead, destructive: true, idempotent: true,
    summarize: says('Lead {lead.email} is {status}.'),
    description: 'Ends one lead\'s sequence in this campaign for good: nothing more is sent to it here, and it cannot be resumed.',
  },
  {
    name: 'list_replies', title: 'List replies', method: 'get', path: '/v1/replies', readOnly: true, summarize: count('replies'),
    description: 'Every reply of the workspace, newest first, with its classification; filter by `campaignId` and `classification`.',
  },
  {
    name: 'record_reply', title: 'Record a reply', method: 'post', path: '/v1/replies', summarize: replySummary,
    description:
      'Records a reply a lead sent (for mail you read in your own inbox), classifies it from its text and headers (interested, not_interested, out_of_office, bounce, unsubscribe) and applies the campaign\'s reply policy: ' +
      'a person\'s reply ends the lead\'s sequence, an out-of-office holds it until the return date, an unsubscribe or bounce notice suppresses the address. The answer says where the lead stands after it.',
  },
  {
    name: 'list_suppressions', title: 'List suppressed addresses', method: 'get', path: '/v1/suppression-list', readOnly: true, summarize: count('suppressed addresses'),
    description: 'Addresses that are never mailed, newest first, with why each was suppressed.',
  },
  {
    name: 'suppress_address', title: 'Never mail an address again', method: 'post', path: '/v1/suppression-list', destructive: true, idempotent: true,
    summarize: says('{suppressed} newly suppressed, {alreadySuppressed} already were.'),
    description: 'Adds addresses to the suppression list: every live sequence to them ends now, and they are skipped when added to any campaign.',
  },
  {
    name: 'unsuppress_address', title: 'Allow mail to a suppressed address again', method: 'delete', path: '/v1/suppression-list/{email}', params: { email: 'email' }, destructive: true, idempotent: true,
    summarize: says('{email} is no longer suppressed.'),
    description: 'Removes one address from the suppression list, so it can be added to campaigns again. Sequences it ended stay ended. Only for an address suppressed by mistake: never for one that unsubscribed or complained.',
  },
];

const WORKSPACE_TOOLS: ToolSpec[] = [
  {
    name: 'list_events', title: 'What happened in the workspace', method: 'get', path: '/v1/events', readOnly: true, summarize: eventsSummary,
    description:
      'The workspace\'s events (mail sent and delivered, bounces, replies, leads ending, campaigns paused, …). Without `after`: newest first, a page at a time. ' +
      'With `after` (an event id, or "" for the oldest): a feed, oldest first; poll again with the answer\'s `nextCursor` as `after` and every event comes exactly once.',
  },
  {
    name: 'list_sender_accounts', title: 'Sender accounts and their capacity', method: 'get', path: '/v1/sender-accounts', readOnly: true, summarize: count('sender accounts'),
    description: 'The mailboxes mail goes out from, with their daily limits, pacing, status (and last error) and how much of today\'s capacity is used.',
  },
  {
    name: 'create_sender_account', title: 'Add a sender account', method: 'post', path: '/v1/sender-accounts',
    summarize: says('Added sender account {email} ({id}), {dailyLimit} a day.'),
    description: 'Adds a mailbox to send from (its domain must be verified at the mail provider). New accounts are paced (about 15 an hour) unless you set `minGapSeconds` 0. Leads waiting for capacity it can send today start moving.',
  },
  {
    name: 'update_sender_account', title: 'Change a sender account', method: 'patch', path: '/v1/sender-accounts/{id}', params: { id: 'senderAccountId' }, idempotent: true,
    summarize: says('Sender account {email} is {status}, {dailyLimit} a day.'),
    description: 'Changes only the arguments given: name, limits, pacing, ramp-up, status. Setting `status` "active" after an error clears it and resumes the leads that waited for this account.',
  },
  {
    name: 'list_sender_pools', title: 'Sending capacity today', method: 'get', path: '/v1/sender-pools', readOnly: true, summarize: count('pools'),
    description: 'The workspace\'s sender pool (all its accounts, used by every campaign) and its capacity today; capacity resets at midnight in the workspace time zone.',
  },
  {
    name: 'get_workspace', title: 'The workspace', method: 'get', path: '/v1/workspace', readOnly: true,
    summarize: says('Workspace "{name}" ({id}), time zone {timezone}.'),
    description: 'The workspace your key belongs to: its name and the time zone its sending day (daily capacity, new-lead caps) is counted in.',
  },
  {
    name: 'update_workspace', title: 'Rename the workspace or change its time zone', method: 'patch', path: '/v1/workspace', idempotent: true,
    summarize: says('Workspace "{name}", time zone {timezone}.'),
    description: 'Changes the workspace\'s name or time zone. The time zone decides when daily capacity and new-lead caps reset (its midnight); sending windows keep their own zones.',
  },
  {
    name: 'list_api_keys', title: 'API keys', method: 'get', path: '/v1/api-keys', readOnly: true, summarize: count('API keys'),
    description: 'Every API key of the workspace, newest first, revoked ones included: id, prefix, scopes, when last used. A key itself is never shown again after it is made.',
  },
  {
    name: 'create_api_key', title: 'Make an API key', method: 'post', path: '/v1/api-keys',
    summarize: says('Made API key {id} with scopes {scopes}: {apiKey} (shown only in this answer; store it now).'),
    description:
      'Makes a new key for this workspace with the `scopes` you choose: `read` (look only), `write` (change campaigns and leads), `send` (start and resume: real mail). A read-only key for a reporting agent is `scopes: ["read"], name: "reporting agent"` (the name tells keys apart in list_api_keys). ' +
      'You can give only scopes your own key holds. The key is shown only in this answer.',
  },
  {
    name: 'revoke_api_key', title: 'Revoke an API key', method: 'delete', path: '/v1/api-keys/{id}', params: { id: 'apiKeyId' }, destructive: true, idempotent: true,
    summarize: says('API key {id} is revoked.'),
    description: 'The key stops working at once, for good. `apiKeyId` is the `id` create_api_key or list_api_keys answered (not the key itself). Revoking twice is fine; a key may revoke itself.',
  },
  {
    name: 'create_webhook', title: 'Send events to a URL', method: 'post', path: '/v1/webhooks', openWorld: true,
    summarize: says('Webhook {id} delivers {events} to {url}; its signing secret is in this answer only.'),
    description:
      'Registers an https endpoint: each event of the chosen types is delivered to it, signed (Standard Webhooks) with the secret in this answer, which is shown only here. Undelivered events are retried for about 10 hours; list_webhook_deliveries shows every attempt.',
  },
  {
    name: 'list_webhooks', title: 'Webhooks', method: 'get', path: '/v1/webhooks', readOnly: true, summarize: count('webhooks'),
    description: 'Every registered webhook of the workspace, oldest first, without secrets.',
  },
  {
    name: 'delete_webhook', title: 'Stop a webhook', method: 'delete', path: '/v1/webhooks/{id}', params: { id: 'webhookId' }, destructive: true, idempotent: true,
    summarize: says('Webhook {id} is deleted.'),
    description: 'Stops deliveries to the webhook at once, pending retries included.',
  },
  {
    name: 'list_webhook_deliveries', title: "A webhook's delivery attempts", method: 'get', path: '/v1/webhooks/{id}/deliveries', params: { id: 'webhookId' }, readOnly: true, summarize: count('delivery attempts'),
    description: 'The webhook\'s delivery log, newest attempt first: each attempt\'s event, outcome, the endpoint\'s answer code and duration.',
  },
];

/** SPEC §11: every capability of the API, one tool per call. */
export const TOOLS: ToolSpec[] = [...CAMPAIGN_TOOLS, ...LEAD_TOOLS, ...WORKSPACE_TOOLS];
