import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { testDialects } from '../support/database.js';

describe.each(testDialects)('content pages on %s', (dialect) => {
  let t: TestApp;
  const dir = mkdtempSync(join(tmpdir(), 'content-'));
  beforeAll(async () => {
    writeFileSync(join(dir, 'about.md'), '# About the shop\n\nWe sell **keys**.\n\n<script>alert(1)</script>');
    writeFileSync(join(dir, 'privacy-policy.md'), '# Privacy\n\nWe keep little.');
    t = await createTestApp(dialect, { CONTENT_DIR: dir });
  });
  afterAll(() => t.close());

  it('renders the owner’s Markdown in the site layout, sanitised', async () => {
    const res = await t.app.inject('/about');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<title>About the shop · ');
    expect(res.body).toContain('<strong>keys</strong>');
    expect(res.body).not.toContain('alert(1)');
    expect(res.body).toContain('href="/terms-and-conditions"');
  });

  it('picks up an edited file without a restart', async () => {
    writeFileSync(join(dir, 'privacy-policy.md'), '# Privacy, updated\n\nStill little.');
    const res = await t.app.inject('/privacy-policy');
    expect(res.body).toContain('Privacy, updated');
  });

  it('answers 404 when the owner has not written the page', async () => {
    const res = await t.app.inject('/terms-and-conditions');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Page not found');
  });
});
