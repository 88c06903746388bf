import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, UnsecuredJWT, type JWK, type JWTPayload, type KeyObject } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../dev/idp/idp.users.js';
import { createTokenVerifier, InvalidTokenError, JWKS_COOLDOWN_MS, PROVIDER_TOKEN_COOLDOWN_MS } from '../../src/auth/token-verifier.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { issueTokens, startTestIdp, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** A JWKS server the test controls, counting its hits (an attacker's `jku` target, or a rotating issuer). */
async function jwksServer(initial: { keys: JWK[] }) {
  const state = { jwks: initial, hits: 0 };
  const server: Server = createServer((_req, res) => {
    state.hits++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(state.jwks));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  return { state, url, close: () => new Promise<void>((done) => server.close(() => done())) };
}

describe.each(testDialects)('access token validation on %s', (dialect) => {
  let idp: TestIdp;
  let t: TestApp;
  let genuine: string;
  let idpKey: { key: KeyObject | Uint8Array; kid: string; publicJwk: JWK };
  let attacker: { privateKey: CryptoKey; publicJwk: JWK };
  let claims: JWTPayload;

  beforeAll(async () => {
    idp = await startTestIdp();
    t = await createTestApp(dialect, idp.env);
    genuine = (await issueTokens(idp)).accessToken;
    // The dev IdP keeps its private key in its store: with it, tests sign tokens that differ from a
    // genuine one in exactly one claim, so each check is tested on its own.
    const jwk = (idp.idp.users.extras.signingKeys as JWK[])[0]!;
    const publicJwk: JWK = { kty: jwk.kty, n: jwk.n, e: jwk.e, kid: jwk.kid, alg: jwk.alg, use: jwk.use };
    idpKey = { key: await importJWK(jwk, 'RS256'), kid: jwk.kid!, publicJwk };
    const pair = await generateKeyPair('RS256', { extractable: true });
    attacker = { privateKey: pair.privateKey, publicJwk: { ...(await exportJWK(pair.publicKey)), kid: 'attacker-key', alg: 'RS256' } };
    claims = { iss: idp.idp.issuer, aud: 'store-test-api', sub: DEMO_USERS[0].id, email: 'demo@example.com', roles: ['owner'] };
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  const withIdpKey = (payload: JWTPayload, header: Record<string, unknown> = {}) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: idpKey.kid, ...header }).sign(idpKey.key);
  const valid = () => ({ ...claims, iat: now(), exp: now() + 300 });

  async function asBearer(token: string) {
    const res = await t.app.inject({ url: '/api/session', headers: { authorization: `Bearer ${token}` } });
    return { status: res.statusCode, body: res.json<Record<string, unknown>>(), challenge: res.headers['www-authenticate'] };
  }

  async function expectRejected(token: string) {
    const res = await asBearer(token);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'invalid_token', message: 'The access token is invalid or expired.' } });
    expect(res.challenge).toBe('Bearer error="invalid_token"');
  }

  it('accepts a genuine access token from the provider, and one signed with its key (control cases)', async () => {
    expect(await asBearer(genuine)).toMatchObject({
      status: 200,
      body: { authenticated: true, user: { email: 'demo@example.com', isOwner: false } },
    });
    expect(await asBearer(await withIdpKey(valid()))).toMatchObject({ status: 200, body: { authenticated: true } });
  });

  it('tolerates a small clock skew but not more', async () => {
    expect((await asBearer(await withIdpKey({ ...valid(), exp: now() - 10 }))).status).toBe(200);
    expect((await asBearer(await withIdpKey({ ...valid(), nbf: now() + 10 }))).status).toBe(200);
  });

  it('rejects an expired token', async () => expectRejected(await withIdpKey({ ...valid(), exp: now() - 120 })));
  it('rejects a token that is not yet valid', async () => expectRejected(await withIdpKey({ ...valid(), nbf: now() + 120 })));
  it('rejects a token without exp', async () => expectRejected(await withIdpKey({ ...claims, iat: now() })));
  it('rejects a token for another audience (an ID token, say)', async () => {
    await expectRejected(await withIdpKey({ ...valid(), aud: 'store-test' }));
    await expectRejected((await issueTokens(idp)).idToken);
  });
  it('rejects a token from another issuer', async () => expectRejected(await withIdpKey({ ...valid(), iss: 'https://evil.example' })));

  it('rejects a token signed with an unknown key, with its own kid or the provider’s', async () => {
    await expectRejected(await new SignJWT(valid()).setProtectedHeader({ alg: 'RS256', kid: 'attacker-key' }).sign(attacker.privateKey));
    await expectRejected(await new SignJWT(valid()).setProtectedHeader({ alg: 'RS256', kid: idpKey.kid }).sign(attacker.privateKey));
  });

  it('rejects alg none', async () => {
    await expectRejected(new UnsecuredJWT(valid()).encode());
    const [, payload] = genuine.split('.');
    await expectRejected(`${b64({ alg: 'none', typ: 'at+jwt', kid: idpKey.kid })}.${payload}.`);
  });

  it('rejects HS256 tokens keyed with the provider’s public key', async () => {
    const pem = await exportSPKI((await importJWK(idpKey.publicJwk, 'RS256')) as KeyObject);
    for (const secret of [pem, JSON.stringify(idpKey.publicJwk), idpKey.publicJwk.n!]) {
      await expectRejected(
        await new SignJWT(valid()).setProtectedHeader({ alg: 'HS256', kid: idpKey.kid }).sign(new TextEncoder().encode(secret)),
      );
    }
  });

  it('rejects a genuine token whose payload was changed', async () => {
    const [header, payload, signature] = genuine.split('.');
    const changed = { ...(JSON.parse(Buffer.from(payload!, 'base64url').toString()) as JWTPayload), roles: ['owner'] };
    await expectRejected(`${header}.${b64(changed)}.${signature}`);
    await expectRejected(`${header}.${payload}.${signature!.slice(0, -4)}AAAA`);
  });

  it('never follows jku or x5u, and never trusts an embedded jwk', async () => {
    const evil = await jwksServer({ keys: [attacker.publicJwk] });
    try {
      const sign = (header: Record<string, unknown>) =>
        new SignJWT(valid()).setProtectedHeader({ alg: 'RS256', ...header }).sign(attacker.privateKey);
      await expectRejected(await sign({ kid: 'attacker-key', jku: evil.url }));
      await expectRejected(await sign({ kid: 'attacker-key', x5u: evil.url }));
      await expectRejected(await sign({ jwk: attacker.publicJwk }));
      expect(evil.state.hits).toBe(0);
    } finally {
      await evil.close();
    }
  });

  it('rejects garbage without an error page', async () => {
    for (const junk of ['abc', 'a.b.c', `${b64({ alg: 'RS256' })}.${b64('x')}.sig`]) await expectRejected(junk);
  });
});

describe('JWKS fetching', () => {
  let jwks: Awaited<ReturnType<typeof jwksServer>>;
  const keys: { privateKey: CryptoKey; jwk: JWK }[] = [];

  beforeAll(async () => {
    for (const kid of ['first', 'second']) {
      const pair = await generateKeyPair('ES256', { extractable: true });
      keys.push({ privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256', use: 'sig' } });
    }
    jwks = await jwksServer({ keys: [keys[0]!.jwk] });
  });
  afterAll(async () => jwks?.close());

  const tokenFor = (index: number, kid = keys[index]!.jwk.kid!) =>
    new SignJWT({ sub: 'u', aud: 'api', iss: 'https://issuer.example', exp: now() + 60 })
      .setProtectedHeader({ alg: 'ES256', kid })
      .sign(keys[index]!.privateKey);

  it('refetches for an unknown kid at most once per cooldown, and picks up a rotated key', async () => {
    let at = Date.now();
    const verifier = createTokenVerifier({
      issuer: 'https://issuer.example',
      audience: 'api',
      jwksUri: async () => new URL(jwks.url),
      clock: () => at,
    });
    await verifier.verifyAccessToken(await tokenFor(0));
    expect(jwks.state.hits).toBe(1);
    // A burst of tokens with made-up kids: no fetch during the cooldown.
    for (let i = 0; i < 20; i++)
      await expect(verifier.verifyAccessToken(await tokenFor(0, `made-up-${i}`))).rejects.toBeInstanceOf(InvalidTokenError);
    expect(jwks.state.hits).toBe(1);
    // The issuer rotates its key: until the cooldown has passed, its new kid is unknown…
    jwks.state.jwks = { keys: [keys[0]!.jwk, keys[1]!.jwk] };
    at += JWKS_COOLDOWN_MS - 1;
    await expect(verifier.verifyAccessToken(await tokenFor(1))).rejects.toBeInstanceOf(InvalidTokenError);
    expect(jwks.state.hits).toBe(1);
    // …and then the first token with it refetches.
    at += 1;
    await expect(verifier.verifyAccessToken(await tokenFor(1))).resolves.toMatchObject({ sub: 'u' });
    expect(jwks.state.hits).toBe(2);
    for (let i = 0; i < 20; i++)
      await expect(verifier.verifyAccessToken(await tokenFor(1, `again-${i}`))).rejects.toBeInstanceOf(InvalidTokenError);
    expect(jwks.state.hits).toBe(2);
  });
});

describe('ID token validation', () => {
  let jwks: Awaited<ReturnType<typeof jwksServer>>;
  const signers: Record<string, { privateKey: CryptoKey; jwk: JWK }> = {};

  beforeAll(async () => {
    for (const [kid, alg] of [
      ['es', 'ES256'],
      ['ed', 'EdDSA'],
      ['ps', 'PS256'],
      ['rs', 'RS256'],
      ['es-next', 'ES256'],
    ] as const) {
      const pair = await generateKeyPair(alg, { extractable: true });
      signers[kid] = { privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' } };
    }
    jwks = await jwksServer({ keys: ['es', 'ed', 'ps', 'rs'].map((kid) => signers[kid]!.jwk) });
  });
  afterAll(async () => jwks?.close());

  let at = Date.now();
  // The provider announces HMAC and none too: they are never accepted, whatever it announces.
  const verifier = () =>
    createTokenVerifier({
      issuer: 'https://issuer.example',
      audience: 'api',
      jwksUri: async () => new URL(jwks.url),
      clock: () => at,
      idToken: { clientId: 'client', algorithms: async () => ['ES256', 'EdDSA', 'PS256', 'HS256', 'none'] },
    });
  const idToken = (kid: string, claims: JWTPayload = {}) =>
    new SignJWT({ sub: 'u', aud: 'client', iss: 'https://issuer.example', iat: now(), exp: now() + 300, ...claims })
      .setProtectedHeader({ alg: signers[kid]!.jwk.alg!, kid })
      .sign(signers[kid]!.privateKey);

  it('accepts the asymmetric algorithms the provider announces', async () => {
    const v = verifier();
    for (const kid of ['es', 'ed', 'ps']) await expect(v.verifyIdToken(await idToken(kid))).resolves.toMatchObject({ sub: 'u' });
  });

  it('refuses an algorithm the provider does not announce, HMAC keyed with a public key, none, and another audience', async () => {
    const v = verifier();
    await expect(v.verifyIdToken(await idToken('rs'))).rejects.toBeInstanceOf(InvalidTokenError);
    const hmac = await new SignJWT({ sub: 'u', aud: 'client', iss: 'https://issuer.example', exp: now() + 300 })
      .setProtectedHeader({ alg: 'HS256', kid: 'es' })
      .sign(new TextEncoder().encode(JSON.stringify(signers.es!.jwk)));
    await expect(v.verifyIdToken(hmac)).rejects.toBeInstanceOf(InvalidTokenError);
    const none = new UnsecuredJWT({ sub: 'u', aud: 'client', iss: 'https://issuer.example', exp: now() + 300 }).encode();
    await expect(v.verifyIdToken(none)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(v.verifyIdToken(await idToken('es', { aud: 'api' }))).rejects.toBeInstanceOf(InvalidTokenError);
    // An access token is no ID token (and the reverse).
    await expect(v.verifyAccessToken(await idToken('es'))).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('picks up a rotated key within a second for tokens from the provider, while Bearer tokens wait for the cooldown', async () => {
    const v = verifier();
    await v.verifyIdToken(await idToken('es'));
    const hits = jwks.state.hits;
    jwks.state.jwks = { keys: [...jwks.state.jwks.keys, signers['es-next']!.jwk] };
    const bearer = await new SignJWT({ sub: 'u', aud: 'api', iss: 'https://issuer.example', exp: now() + 60 })
      .setProtectedHeader({ alg: 'ES256', kid: 'es-next' })
      .sign(signers['es-next']!.privateKey);
    at += PROVIDER_TOKEN_COOLDOWN_MS;
    await expect(v.verifyAccessToken(bearer)).rejects.toBeInstanceOf(InvalidTokenError);
    expect(jwks.state.hits).toBe(hits);
    await expect(v.verifyIdToken(await idToken('es-next'))).resolves.toMatchObject({ sub: 'u' });
    await expect(v.verifyAccessToken(bearer, { fromProvider: true })).resolves.toMatchObject({ sub: 'u' });
    expect(jwks.state.hits).toBe(hits + 1);
    // Even from the provider, unknown kids refetch at most once a second.
    for (let i = 0; i < 10; i++) {
      const madeUp = await new SignJWT({ sub: 'u', aud: 'client', iss: 'https://issuer.example', exp: now() + 300 })
        .setProtectedHeader({ alg: 'ES256', kid: `made-up-${i}` })
        .sign(signers.es!.privateKey);
      await expect(v.verifyIdToken(madeUp)).rejects.toBeInstanceOf(InvalidTokenError);
    }
    expect(jwks.state.hits).toBe(hits + 1);
  });
});
