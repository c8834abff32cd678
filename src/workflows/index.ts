// Every export here becomes a startable workflow type: export workflows only.
export { enrollmentWorkflow } from './enrollment-workflow.js';
