// Every export here becomes a startable workflow type: export workflows only.
export { campaignFanoutWorkflow } from './campaign-fanout-workflow.js';
export { enrollmentWorkflow } from './enrollment-workflow.js';
export { eventRelayWorkflow } from './event-relay-workflow.js';
export { pruneWorkflow } from './prune-workflow.js';
export { webhookDeliveryWorkflow } from './webhook-delivery-workflow.js';

import type { CampaignFanoutWorkflow, EnrollmentWorkflow, WebhookDeliveryWorkflow } from './contract.js';
import type { campaignFanoutWorkflow } from './campaign-fanout-workflow.js';
import type { enrollmentWorkflow } from './enrollment-workflow.js';
import type { webhookDeliveryWorkflow } from './webhook-delivery-workflow.js';

/** Compile-time only: each workflow the client starts has the signature the contract gives it. */
type Implements<Signature, Workflow extends Signature> = Workflow;
export type ContractHeld = [
  Implements<EnrollmentWorkflow, typeof enrollmentWorkflow>,
  Implements<CampaignFanoutWorkflow, typeof campaignFanoutWorkflow>,
  Implements<WebhookDeliveryWorkflow, typeof webhookDeliveryWorkflow>,
];
