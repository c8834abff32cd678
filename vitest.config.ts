import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          // One project, not one per tier: vitest 4 runs a project's globalSetup once per project,
          // so split projects would start a PostgreSQL + Temporal stack each. The tiers are path
          // filters on this project instead: `npm run test:api` (api, db, security),
          // `test:workflows`, `test:e2e` (e2e, deploy) — see package.json.
          include: ['test/{api,db,workflows,e2e,deploy,security}/**/*.test.ts'],
          // Starts PostgreSQL and the Temporal dev server once for every integration test file.
          globalSetup: ['test/setup/global-setup.ts'],
          setupFiles: ['test/setup/quiet-temporal.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One file at a time on 2 CPUs (Vitest's default): two at a time took 16 min instead of
          // 17-19, but the 1,000-lead pause of edge-pause-sync then failed in a fresh clone.
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          // Each file starts a stack of its own (PostgreSQL, a file-backed Temporal dev server, the
          // worker and API processes) and then breaks it, so it never uses the shared one.
          // Generous: on a quiet 2-CPU machine each file takes 40–100 s, but a busy one can triple that.
          testTimeout: 300_000,
          hookTimeout: 180_000,
          pool: 'forks',
          // All four at once: three of them mostly wait (an outage, a restart, retry backoffs), so
          // side by side they take about as long as the 1,000-lead one alone.
          maxWorkers: 4,
          // After the integration files, not beside them: a fault test's timings need the CPUs.
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'checker',
          include: ['test/checker/**/*.test.ts'],
          // A stack of its own (as the fault tests), driven through random histories; `npm run
          // check:histories` runs it alone, with CHECK_SEED or CHECK_HISTORIES. Last, alone: its
          // histories race sends against pauses and replies, and want the CPUs to themselves.
          testTimeout: 7_200_000,
          hookTimeout: 180_000,
          pool: 'forks',
          sequence: { groupOrder: 2 },
        },
      },
      // `npm run test:production-shape` only (not `npm test`): it builds and runs the production
      // Temporal server, which takes minutes the first time.
      ...(process.env.SEQUENT_PRODUCTION_SHAPE
        ? [
            {
              test: {
                name: 'production-shape',
                include: ['test/production-shape/**/*.test.ts', 'test/faults/worker-sigkill.test.ts'],
                globalSetup: ['test/production-shape/global-setup.ts'],
                testTimeout: 300_000,
                hookTimeout: 180_000,
                pool: 'forks' as const,
                fileParallelism: false,
              },
            },
          ]
        : []),
    ],
  },
});
