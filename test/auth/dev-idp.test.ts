import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevIdp } from '../../dev/idp/idp.js';
import { DEMO_USERS } from '../../dev/idp/idp.users.js';
import { formAction, startTestIdp, TEST_STORE_URL, TestBrowser, type TestIdp } from '../support/auth.js';

// The IdP alone, driven by openid-client as the store would; no store involved.
const noStore = {} as FastifyInstance;
const atStore = (location: string) => location.startsWith(TEST_STORE_URL);
type Credentials = { email: string; password: string };
const demo: Credentials = { email: DEMO_USERS[0].email, password: DEMO_USERS[0].password };
const owner: Credentials = { email: DEMO_USERS[1].email, password: DEMO_USERS[1].password };

describe('development identity provider', () => {
  let idp: TestIdp;
  let cfg: client.Configuration;

  beforeAll(async () => {
    idp = await startTestIdp();
    cfg = await client.discovery(
      new URL(idp.env.OIDC_ISSUER!),
      idp.env.OIDC_CLIENT_ID!,
      undefined,
      client.ClientSecretPost(idp.env.OIDC_CLIENT_SECRET),
      {
        execute: [client.allowInsecureRequests],
      },
    );
  });
  afterAll(async () => idp?.close());

  async function authorizationUrl(extra: Record<string, string> = {}) {
    const checks = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier() };
    const url = client.buildAuthorizationUrl(cfg, {
      redirect_uri: `${TEST_STORE_URL}/auth/callback`,
      scope: 'openid profile email',
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(checks.verifier),
      code_challenge_method: 'S256',
      ...extra,
    });
    return { url, checks };
  }

  async function signIn(user: Credentials = demo, extra: Record<string, string> = {}) {
    const { url, checks } = await authorizationUrl(extra);
    const browser = new TestBrowser(noStore);
    const page = await browser.follow(url.href);
    const back = await browser.follow(formAction(page), { form: user }, atStore);
    const tokens = await client.authorizationCodeGrant(cfg, new URL(back.location!), {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
    });
    return { tokens, browser };
  }

  it('publishes discovery and a JWKS with public keys only', async () => {
    const meta = cfg.serverMetadata();
    expect(meta.issuer).toBe(idp.idp.issuer);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.end_session_endpoint).toBeDefined();
    expect(meta.userinfo_endpoint).toBeDefined();
    const jwks = (await (await fetch(meta.jwks_uri!)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: 'RSA', use: 'sig' });
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(secret);
    }
  });

  it('serves a sign-in page without script, with a strict CSP, escaping what the request carries', async () => {
    const { url } = await authorizationUrl({ login_hint: '"><script>alert(1)</script>' });
    const browser = new TestBrowser(noStore);
    const first = await browser.request(url.href);
    const page = await browser.request(first.location!);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Sign in');
    expect(page.body).not.toContain('<script');
    expect(page.body).toContain('value="&quot;>&lt;script>alert(1)&lt;/script>"');
    const res = await fetch(page.url, { headers: { cookie: browser.cookieHeader(page.url) } });
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  });

  it('refuses a wrong password and stays on the sign-in page', async () => {
    const { url } = await authorizationUrl();
    const browser = new TestBrowser(noStore);
    const page = await browser.follow(url.href);
    const res = await browser.request(formAction(page), { form: { email: demo.email, password: 'wrong-password' } });
    expect(res.status).toBe(400);
    expect(res.body).toContain('Wrong email or password.');
  });

  it('requires PKCE', async () => {
    const { url } = await authorizationUrl();
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
    const res = await new TestBrowser(noStore).request(url.href);
    expect(res.location).toContain('error=invalid_request');
  });

  it('issues a JWT access token for the store audience and an ID token with the profile', async () => {
    const { tokens } = await signIn();
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const access = decodeJwt(tokens.access_token);
    expect(access).toMatchObject({ iss: idp.idp.issuer, aud: 'store-test-api', sub: DEMO_USERS[0].id, email: demo.email, roles: [] });
    expect(tokens.claims()).toMatchObject({ sub: DEMO_USERS[0].id, email: demo.email, name: 'Demo Buyer', aud: 'store-test' });
    expect(tokens.refresh_token).toBeTruthy();
  });

  it('puts the owner role in a roles claim', async () => {
    const { tokens } = await signIn(owner);
    expect(decodeJwt(tokens.access_token).roles).toEqual(['owner']);
    expect(tokens.claims()?.roles).toEqual(['owner']);
  });

  it('rotates refresh tokens and revokes the grant when a used one comes back', async () => {
    const { tokens } = await signIn();
    const second = await client.refreshTokenGrant(cfg, tokens.refresh_token!);
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(tokens.refresh_token);
    await expect(client.refreshTokenGrant(cfg, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.refreshTokenGrant(cfg, second.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('answers userinfo for a token asked for with scope openid', async () => {
    const { tokens } = await signIn();
    const sub = DEMO_USERS[0].id;
    const forUserinfo = await client.refreshTokenGrant(cfg, tokens.refresh_token!, { scope: 'openid email profile' });
    const info = await client.fetchUserInfo(cfg, forUserinfo.access_token, sub);
    expect(info).toMatchObject({ sub, email: demo.email, name: 'Demo Buyer' });
  });

  it('registers a new user through prompt=create, with field errors first', async () => {
    const { url, checks } = await authorizationUrl({ prompt: 'create' });
    const browser = new TestBrowser(noStore);
    const page = await browser.follow(url.href);
    expect(page.body).toContain('Create an account');
    const bad = await browser.request(formAction(page), {
      form: { firstName: '', lastName: 'X', email: 'not-an-email', password: 'short' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('This field is required.');
    expect(bad.body).toContain('Enter a valid email address.');
    expect(bad.body).toContain('at least 8 characters');
    const taken = await browser.request(formAction(page), {
      form: { firstName: 'A', lastName: 'B', email: 'DEMO@example.com', password: 'long-enough-1' },
    });
    expect(taken.body).toContain('An account with this email address already exists.');
    const email = `new-${Date.now()}@example.com`;
    const back = await browser.follow(
      formAction(page),
      { form: { firstName: 'Nova', lastName: 'Buyer', email, password: 'long-enough-1' } },
      atStore,
    );
    const tokens = await client.authorizationCodeGrant(cfg, new URL(back.location!), {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
    });
    expect(tokens.claims()).toMatchObject({ email, name: 'Nova Buyer' });
    const again = await signIn({ email, password: 'long-enough-1' });
    expect(again.tokens.claims()?.sub).toBe(tokens.claims()?.sub);
  });

  it('reads and updates the profile through the account API in the Keycloak shape', async () => {
    const { tokens: t } = await signIn({ email: 'owner@example.com', password: 'owner1234' });
    const api = `${idp.idp.issuer}/account`;
    const auth = { authorization: `Bearer ${t.access_token}` };
    const read = async () => (await (await fetch(api, { headers: auth })).json()) as Record<string, unknown>;
    expect(await read()).toMatchObject({ firstName: 'Shop', lastName: 'Owner', email: 'owner@example.com', username: 'owner@example.com' });
    const post = (body: unknown) =>
      fetch(api, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ firstName: 'Shopkeeper', lastName: 'Owner', email: 'owner@example.com' })).status).toBe(204);
    expect(await read()).toMatchObject({ firstName: 'Shopkeeper' });
    const duplicate = await post({ firstName: 'Shop', lastName: 'Owner', email: 'demo@example.com' });
    expect(duplicate.status).toBe(400);
    expect(await duplicate.json()).toEqual({ field: 'email', errorMessage: 'emailExistsMessage', params: [] });
    const two = await post({ firstName: '', lastName: '', email: 'owner@example.com' });
    expect(((await two.json()) as { errors: unknown[] }).errors).toHaveLength(2);
    expect((await fetch(api)).status).toBe(401);
    expect((await fetch(api, { headers: { authorization: `Bearer ${t.id_token}` } })).status).toBe(401);
    await post({ firstName: 'Shop', lastName: 'Owner', email: 'owner@example.com' });
  });

  it('ends the session at RP-initiated logout and revokes its refresh tokens', async () => {
    const { tokens, browser } = await signIn();
    const url = client.buildEndSessionUrl(cfg, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${TEST_STORE_URL}/` });
    const confirm = await browser.request(url.href);
    expect(confirm.status).toBe(200);
    expect(confirm.body).toContain('Yes, sign me out');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)![1]!;
    const done = await browser.request(formAction(confirm), { form: { xsrf, logout: 'yes' } });
    expect(done.location).toBe(`${TEST_STORE_URL}/`);
    await expect(client.refreshTokenGrant(cfg, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses to start with NODE_ENV=production', async () => {
    const before = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await expect(startDevIdp({ port: 0, storeUrl: TEST_STORE_URL, clientId: 'c', clientSecret: 's', audience: 'a' })).rejects.toThrow(
        /refuses to run/,
      );
    } finally {
      process.env.NODE_ENV = before;
    }
  });

  it('keeps users and signing keys in its data file across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dev-idp-'));
    const options = { port: 0, storeUrl: TEST_STORE_URL, clientId: 'c', clientSecret: 's', audience: 'a', dataFile: join(dir, 'idp.json') };
    try {
      const first = await startDevIdp(options);
      await first.users.register({ email: 'kept@example.com', password: 'long-enough-1', firstName: 'K', lastName: 'P' });
      const kid = ((await (await fetch(`${first.issuer}/jwks`)).json()) as { keys: { kid: string }[] }).keys[0]!.kid;
      await first.close();
      const second = await startDevIdp(options);
      expect(await second.users.authenticate('kept@example.com', 'long-enough-1')).toBeDefined();
      expect(await second.users.authenticate('demo@example.com', 'demo1234')).toBeDefined();
      const again = ((await (await fetch(`${second.issuer}/jwks`)).json()) as { keys: { kid: string }[] }).keys[0]!.kid;
      expect(again).toBe(kid);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
