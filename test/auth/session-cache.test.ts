/**
 * Sessions kept per instance (start.ts turns the cache on): a request reads its session from the
 * database once, and a logout on one instance is seen by the other at once (PostgreSQL NOTIFY), long
 * before the cache's time runs out, also after the listening connection was lost.
 */
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createDatabase, type Database } from '../../src/platform/db/db.js';
import { loginAs, startTestIdp, TEST_STORE_URL, type LoggedIn, type SessionJson, type TestIdp } from '../support/auth.js';
import { createTestDatabase, postgresUrl, testDialects, type TestDatabase } from '../support/database.js';
import { testConfig } from '../support/env.js';

/** Far longer than any wait below: only the revocation channel can explain a logout seen in time. */
const CACHE_MS = 60_000;

const sessionOf = async (app: FastifyInstance, buyer: LoggedIn) =>
  (await app.inject({ method: 'GET', url: '/api/session', headers: { cookie: buyer.cookie } })).json<SessionJson>();

/** Session reads a request sent to the database. */
async function sessionReads(db: Database, run: () => Promise<unknown>): Promise<number> {
  let reads = 0;
  db.onStatement((sql) => (reads += /from "sessions"/.test(sql) ? 1 : 0));
  try {
    await run();
  } finally {
    db.onStatement(null);
  }
  return reads;
}

/**
 * Session reads of one request once the instance trusts its cache: its LISTEN connection comes up in
 * the background (later on a loaded machine), and until then every request reads the database.
 */
async function readsOnceListening(db: Database, app: FastifyInstance, buyer: LoggedIn): Promise<number> {
  const started = Date.now();
  for (;;) {
    const reads = await sessionReads(db, () => sessionOf(app, buyer));
    if (reads === 0 || Date.now() - started > 5000) return reads;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Session reads of one request once the instance noticed its LISTEN connection was lost (the
 * client's error event comes a moment after the backend dies; it reconnects a second later).
 */
async function readsOnceLost(db: Database, app: FastifyInstance, buyer: LoggedIn): Promise<number> {
  const started = Date.now();
  for (;;) {
    const reads = await sessionReads(db, () => sessionOf(app, buyer));
    if (reads > 0 || Date.now() - started > 2000) return reads;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits (at most 2 s) until the instance no longer knows the buyer; returns how long it took. */
async function untilLoggedOut(app: FastifyInstance, buyer: LoggedIn): Promise<number> {
  const started = Date.now();
  while ((await sessionOf(app, buyer)).authenticated) {
    if (Date.now() - started > 2000) throw new Error('the logout was not seen within 2 s');
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - started;
}

const logout = (app: FastifyInstance, buyer: LoggedIn) =>
  app.inject({
    method: 'POST',
    url: '/auth/logout',
    headers: { ...buyer.headers, 'sec-fetch-site': 'same-origin', origin: TEST_STORE_URL },
  });

describe.each(testDialects)('session cache on %s', (dialect) => {
  let idp: TestIdp;
  let db: TestDatabase;
  let app: FastifyInstance;

  beforeAll(async () => {
    idp = await startTestIdp();
    db = await createTestDatabase(dialect);
    app = await buildApp({ config: testConfig(idp.env), db, sessionCacheMs: CACHE_MS });
    await app.ready();
    // The LISTEN connection comes up in the background.
    await new Promise((r) => setTimeout(r, 200));
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
    await idp.close();
  });

  it('reads a session once for many requests, and forgets it at logout', async () => {
    const buyer = await loginAs(app, 'new');
    await sessionOf(app, buyer);
    expect(await sessionReads(db, () => Promise.all([1, 2, 3].map(() => sessionOf(app, buyer))))).toBe(0);
    expect((await logout(app, buyer)).statusCode).toBe(303);
    expect(await sessionOf(app, buyer)).toMatchObject({ authenticated: false });
  });
});

describe.skipIf(!postgresUrl)('session cache across two instances on PostgreSQL', () => {
  let idp: TestIdp;
  let shared: TestDatabase;
  let other: Database;
  let a: FastifyInstance;
  let b: FastifyInstance;

  beforeAll(async () => {
    idp = await startTestIdp();
    shared = await createTestDatabase('postgres');
    other = createDatabase(postgresUrl!, { searchPath: shared.schema!, poolSize: 5 });
    a = await buildApp({ config: testConfig(idp.env), db: shared, sessionCacheMs: CACHE_MS });
    b = await buildApp({ config: testConfig(idp.env), db: other, sessionCacheMs: CACHE_MS });
    await Promise.all([a.ready(), b.ready()]);
    await new Promise((r) => setTimeout(r, 200));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await other?.destroy();
    await shared?.drop();
    await idp?.close();
  });

  it('sees a logout on the other instance at once', async () => {
    const buyer = await loginAs(a, 'new');
    expect(await sessionOf(b, buyer)).toMatchObject({ authenticated: true });
    expect(await readsOnceListening(other, b, buyer)).toBe(0);
    expect((await logout(a, buyer)).statusCode).toBe(303);
    expect(await untilLoggedOut(b, buyer)).toBeLessThan(1000);
  });

  it('reads every request from the database while it cannot listen, and caches again once it can', async () => {
    const buyer = await loginAs(a, 'new');
    await sessionOf(b, buyer);
    // Every LISTEN connection of this database loses its backend, as in a restart or a failover.
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where query = 'listen store_sessions'`);
    await admin.end();
    expect(await readsOnceLost(other, b, buyer)).toBe(1);
    expect((await logout(a, buyer)).statusCode).toBe(303);
    expect(await sessionOf(b, buyer)).toMatchObject({ authenticated: false });
    // Back after a second: cached again.
    const next = await loginAs(a, 'new');
    await sessionOf(b, next);
    expect(await readsOnceListening(other, b, next)).toBe(0);
  });
});
