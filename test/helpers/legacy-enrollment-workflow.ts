// A workflow bundle as workers had it before claims and deliveries were split (before the
// 'claim-then-deliver' patch): its `enrollmentWorkflow` runs the legacy code from its first task,
// so its runs are the ones scripts/legacy-open.ts counts (test/workflows/legacy-open.test.ts).
export { legacyEnrollmentWorkflow as enrollmentWorkflow } from '../../src/workflows/enrollment-workflow-v1.js';
