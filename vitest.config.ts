import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/support/sequencer.js';

// Every test file runs in a fresh process that loads the same dependencies (fastify, the AWS SDK,
// oidc-provider...): Node's on-disk compile cache lets each one skip compiling them again. The
// workers, and the processes tests start, inherit it through the environment.
process.env.NODE_COMPILE_CACHE ??= join(tmpdir(), 'store-test-compile-cache');

export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}', 'dev/**/*.test.{ts,tsx}'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    pool: 'forks',
    // Vitest's default on 2 cores is ONE worker (cores - 1), which ran every file in turn. Most of the
    // time of a slow file is spent waiting (Chromium, PostgreSQL, child processes, real-time waits),
    // so four files at once keep both cores busy (docs/PERFORMANCE.md, "Test suite time").
    // `npx vitest run --maxWorkers=1` still runs them one by one.
    maxWorkers: 4,
    // Longest files first (vitest's last run, else test/support/slow-files.json), so none is left alone at the end.
    sequence: { sequencer: LongestFirstSequencer },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Browser tests share one Chromium each and start their own servers; keep them out of the
    // unit/integration pass when asked (BROWSER_TESTS=0).
    exclude: ['**/node_modules/**', ...(process.env.BROWSER_TESTS === '0' ? ['test/browser/**', 'test/**/*.browser.test.ts'] : [])],
  },
});
