import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OidcClient } from '../../src/auth/oidc.client.js';
import { createSessionService } from '../../src/auth/session.service.js';
import { InvalidTokenError, type TokenVerifier } from '../../src/auth/token-verifier.js';
import { testConfig } from '../support/env.js';
import { createSecretBox } from '../../src/platform/crypto.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';

// The verifier itself (signatures, JWKS, claims) is tested against real keys in tokens.test.ts; here
// it only says yes or no, to show when a session's token is checked again.
describe.each(testDialects)('session token checks on %s', (dialect) => {
  let db: TestDatabase;
  let now = 1_800_000_000_000;
  let keyWithdrawn = false;
  let checks = 0;
  const verifier: TokenVerifier = {
    verifyAccessToken: async () => {
      checks++;
      if (keyWithdrawn) throw new InvalidTokenError('no matching key');
      return { sub: 'u1', exp: now / 1000 + 3600 };
    },
    verifyIdToken: () => Promise.reject(new InvalidTokenError('not used here')),
  };
  // A provider that cannot be reached: a refused token cannot be refreshed.
  const oidc = { refresh: () => Promise.reject(new Error('unreachable')) } as unknown as OidcClient;
  const secrets = createSecretBox(randomBytes(32));

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
  });
  afterAll(() => db.drop());

  it('checks a session’s access token once a minute, not on every request; a withdrawn key is refused after that', async () => {
    const sessions = createSessionService({ db, secrets, clock: () => now, config: testConfig(), oidc, verifier });
    const claims = { sub: 'u1', email: 'u1@example.com', exp: now / 1000 + 3600 };
    const { token } = await sessions.create({ accessToken: 'a.b.c', refreshToken: 'r', idToken: null, idClaims: claims }, claims);
    for (let i = 0; i < 5; i++) expect((await sessions.resolve(token))?.user.sub).toBe('u1');
    expect(checks).toBe(1);

    keyWithdrawn = true;
    now += 59_000;
    expect((await sessions.resolve(token))?.user.sub).toBe('u1');
    expect(checks).toBe(1);
    now += 1_000;
    expect(await sessions.resolve(token)).toBeNull();
    expect(checks).toBeGreaterThan(1);

    // Another instance (its own memory) checks on its first request.
    keyWithdrawn = false;
    const other = createSessionService({ db, secrets, clock: () => now, config: testConfig(), oidc, verifier });
    const before = checks;
    expect((await other.resolve(token))?.user.sub).toBe('u1');
    expect(checks).toBe(before + 1);
  });
});
