import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

/**
 * The README's folder map as eslint.config.js enforces it: each case lints one import as if it
 * stood in that file, and says whether the folder's allow-list lets it through. Only the import
 * rules run (the probe files do not exist, so type-aware rules cannot).
 */
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: [tseslint.configs.disableTypeChecked],
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports' || ruleId === '@typescript-eslint/no-restricted-imports',
});

async function refused(file: string, source: string): Promise<boolean> {
  const [result] = await eslint.lintText(`${source}\nexport const probe = 1;\n`, { filePath: `${process.cwd()}/${file}` });
  return result!.messages.length > 0;
}

const CASES: [file: string, source: string, refusedExpected: boolean][] = [
  ['src/campaigns/probe.ts', "import { deliverStep } from '../delivery/deliver.js';", true],
  ['src/campaigns/probe.ts', "import { listPools } from '../senders/senders.js';", false],
  ['src/leads/probe.ts', "import { recordReply } from '../replies/intake.js';", true],
  ['src/leads/probe.ts', "import { settingsOf } from '../campaigns/settings.js';", false],
  ['src/delivery/probe.ts', "import { ApplicationFailure } from '@temporalio/common';", true],
  ['src/delivery/probe.ts', "import { createActivities } from '../activities/index.js';", true],
  ['src/delivery/probe.ts', "import { endLocked } from '../leads/endings.js';", false],
  ['src/senders/probe.ts', "import { emitEvent } from '../webhooks/events.js';", true],
  ['src/webhooks/probe.ts', "import { temporalOrchestrator } from '../workflows/client.js';", true],
  ['src/domain/probe.ts', "import { createDb } from '../db.js';", true],
  ['src/domain/probe.ts', "import { localDay } from './schedule.js';", false],
  ['src/mail/probe.ts', "import type { Db } from '../db.js';", true],
  ['src/workflows/probe.ts', "import { createDb } from '../db.js';", true],
  ['src/workflows/probe.ts', "import type { Activities } from '../activities/index.js';", false],
  ['src/workflows/probe.ts', "import { createActivities } from '../activities/index.js';", true],
  ['src/workflows/client.ts', "import type { enrollmentWorkflow } from './enrollment-workflow.js';", true],
  ['src/workflows/client.ts', "import { syncSignal } from './contract.js';", false],
  ['src/activities/probe.ts', "import { temporalOrchestrator } from '../workflows/client.js';", false],
  ['src/activities/probe.ts', "import { createApp } from '../api/app.js';", true],
  ['src/api/probe.ts', "import { createActivities } from '../activities/index.js';", true],
  ['src/api/routes/probe.ts', "import { buildWorker } from '../../worker/build-worker.js';", true],
  ['src/api/probe.ts', "import { temporalOrchestrator } from '../workflows/client.js';", false],
  ['src/worker/probe.ts', "import { createApp } from '../api/app.js';", true],
  ['src/mcp/probe.ts', "import { deliverStep } from '../delivery/deliver.js';", true],
  ['src/console/probe.ts', "import { createDb } from '../db.js';", true],
  ['src/probe.ts', "import { claimStep } from './delivery/claim.js';", true],
  ['src/probe.ts', "import { newId } from './domain/ids.js';", false],
];

describe('folder boundaries (README "Architecture", eslint.config.js)', () => {
  it.each(CASES)('%s: %s → refused %s', async (file, source, expected) => {
    expect(await refused(file, source)).toBe(expected);
  });
});
