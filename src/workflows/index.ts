// Every export here becomes a startable workflow type: export workflows only.
export { campaignFanoutWorkflow } from './campaign-fanout-workflow.js';
export { enrollmentWorkflow } from './enrollment-workflow.js';
export { eventRelayWorkflow } from './event-relay-workflow.js';
export { pruneWorkflow } from './prune-workflow.js';
export { webhookDeliveryWorkflow } from './webhook-delivery-workflow.js';
