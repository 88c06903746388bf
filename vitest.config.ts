import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}', 'dev/**/*.test.{ts,tsx}'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Browser tests share one Chromium each and start their own servers; keep them out of the
    // unit/integration pass when asked (BROWSER_TESTS=0).
    exclude: ['**/node_modules/**', ...(process.env.BROWSER_TESTS === '0' ? ['test/browser/**', 'test/**/*.browser.test.ts'] : [])],
  },
});
