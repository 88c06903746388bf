import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';

describe.each(testDialects)('login round trip on %s', (dialect) => {
  let idp: TestIdp;
  let t: TestApp;
  beforeAll(async () => {
    idp = await startTestIdp();
    t = await createTestApp(dialect, idp.env);
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  it('logs the demo user in', async () => {
    const me = await loginAs(t.app);
    expect(me.user.email).toBe('demo@example.com');
  });
});
