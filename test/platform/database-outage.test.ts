/**
 * The store listening on a real port, under concurrent traffic, while PostgreSQL terminates its
 * connections (a restart, a failover, a pooler recycling them) and while the database is unreachable
 * for a few seconds: the process stays up, answers 503 database_unavailable meanwhile (JSON under
 * /api, a page elsewhere), /readyz says so, and afterwards every request and every order works
 * again, with no order lost or half-written. The store has a database of its own (so terminating
 * its backends touches no other test) reached through a TCP proxy the test cuts: the shared
 * PostgreSQL server is never stopped.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createDatabase, type Database } from '../../src/platform/db/db.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp } from '../support/auth.js';
import { postgresUrl } from '../support/database.js';
import { testConfig } from '../support/env.js';
import { catalogFixtures, makeKeyLimProduct } from '../support/factories.js';
import { gatewayEnv, startTestGateway, type DevGateway } from '../support/gateway.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

interface Answer {
  what: string;
  status: number;
  type: string;
  body: string;
  at: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A page's words, for messages. */
const words = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe.skipIf(!postgresUrl)('the store through PostgreSQL outages', () => {
  const dbName = `store_outage_${randomBytes(5).toString('hex')}`;
  let admin: pg.Client;
  let proxy: TcpProxy;
  let db: Database;
  let idp: TestIdp;
  let gateway: DevGateway;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let base: string;
  let sku: string;
  let buyers: LoggedIn[];
  const crashes: unknown[] = [];
  const recordCrash = (err: unknown) => crashes.push(err);
  /** Orders whose payment page a buyer was sent to: each must exist, whole, afterwards. */
  const placed = new Map<string, string>();

  beforeAll(async () => {
    process.on('unhandledRejection', recordCrash);
    process.on('uncaughtException', recordCrash);
    admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    const server = new URL(postgresUrl!);
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    const storeUrl = new URL(postgresUrl!);
    storeUrl.host = `127.0.0.1:${proxy.port}`;
    storeUrl.pathname = `/${dbName}`;
    db = createDatabase(storeUrl.href, { poolSize: 5, connectTimeoutMs: 1000 });
    await migrateToLatest(db);
    idp = await startTestIdp();
    gateway = await startTestGateway();
    app = await buildApp({ config: testConfig({ ...idp.env, ...gatewayEnv(gateway), LICENSE_API_RATE_LIMIT: '100000' }), db });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    // Each checkout adds one unit to a cart that only payment empties, so a buyer reserves 1, 2, 3 … keys an
    // order (up to the cart maximum): the pool must outlast every order the load places.
    ({ sku } = await makeKeyLimProduct(catalogFixtures(db), 3000, { price: 1200 }));
    buyers = [];
    for (let i = 0; i < 3; i++) buyers.push(await loginAs(app, 'new'));
  });
  afterAll(async () => {
    await app?.close();
    await db?.destroy();
    await proxy?.close();
    await gateway?.close();
    await idp?.close();
    await admin?.query(`drop database if exists ${dbName} with (force)`);
    await admin?.end();
    process.off('unhandledRejection', recordCrash);
    process.off('uncaughtException', recordCrash);
  });

  /** One request over a real socket; a refused or reset connection would be a crash, recorded as status 0. */
  async function hit(what: string, path: string, init: RequestInit = {}): Promise<Answer> {
    try {
      const res = await fetch(base + path, { ...init, redirect: 'manual', signal: AbortSignal.timeout(8000) });
      return { what, status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text(), at: Date.now() };
    } catch (err) {
      return { what, status: 0, type: '', body: String(err), at: Date.now() };
    }
  }

  const visitorRequests = [
    () => hit('readyz', '/readyz'),
    () =>
      hit('api', '/api/licenses/validate', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ license_key: `UNKNOWN-${randomBytes(6).toString('hex')}` }),
      }),
    () => hit('page', `/search?q=${randomBytes(4).toString('hex')}`),
    () => hit('page', '/cart'),
  ];

  /** A buyer's whole checkout: cart, review, place; answers of each step (through app.inject). */
  async function checkout(buyer: LoggedIn): Promise<Answer[]> {
    const answers: Answer[] = [];
    const step = async (what: string, path: string, form?: Record<string, string>) => {
      const r = await buyer.browser.request(path, form ? { form } : {});
      answers.push({ what, status: r.status, type: '', body: r.body, at: Date.now() });
      return r;
    };
    const cart = await step('checkout', '/cart');
    if (cart.status !== 200) return answers;
    const added = await step('checkout', '/cart', { action: 'add', sku, quantity: '1' });
    if (added.status !== 303) return answers;
    const review = await step('checkout', '/checkout');
    if (review.status !== 200) return answers;
    const form = Object.fromEntries(
      [...review.body.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    const done = await step('checkout', '/checkout', form);
    if (done.status === 303 && done.location?.startsWith(`${gateway.url}/pay/`))
      placed.set(new URL(done.location).pathname.split('/').pop()!, form.idempotencyKey!);
    return answers;
  }

  /** Runs visitors over sockets and buyers' checkouts until stop() resolves; returns every answer. */
  async function traffic(stop: Promise<void>): Promise<Answer[]> {
    let running = true;
    void stop.then(() => (running = false));
    const answers: Answer[] = [];
    const visitor = async (n: number) => {
      for (let i = n; running; i++) answers.push(await visitorRequests[i % visitorRequests.length]!());
    };
    const buyer = async (b: LoggedIn) => {
      while (running) answers.push(...(await checkout(b)));
    };
    await Promise.all([...[0, 1, 2, 3].map(visitor), ...buyers.map(buyer)]);
    return answers;
  }

  /** What a user may see: a 2xx/3xx, a refusal, or a 503 that says the database is unavailable; nothing else. */
  function expectOnlyExpected(answers: Answer[]) {
    const unexpected = answers.filter((a) => ![200, 303, 404, 409, 503].includes(a.status));
    expect(unexpected.map((a) => `${a.what} ${a.status} ${words(a.body).slice(-300)}`)).toEqual([]);
    for (const a of answers.filter((x) => x.status === 503 && x.what !== 'readyz')) {
      if (a.what === 'api') expect(JSON.parse(a.body)).toMatchObject({ error: { code: 'database_unavailable' } });
      // Checkout reports a failure right after the gateway's session was made as the gateway's (the order is cancelled).
      else if (a.what === 'checkout') expect(words(a.body)).toMatch(/cannot reach its database|Payment is not available right now/);
      else expect(words(a.body)).toContain('cannot reach its database');
      expect(a.body).not.toMatch(/57P01|terminat|ECONN|pg_|stack/i);
    }
  }

  async function expectRecovered() {
    // Every kind of request works again, over fresh connections.
    for (const request of visitorRequests) {
      const a = await request();
      expect(a.status, `${a.what} ${words(a.body).slice(-300)}`).toBe(a.what === 'api' ? 404 : 200);
    }
    const before = placed.size;
    const steps = await checkout(buyers[0]!);
    expect(placed.size, steps.map((s) => `${s.status} ${words(s.body).slice(-300)}`).join('\n')).toBe(before + 1);
  }

  /** No lost order, nothing half-written: each order whole, each reserved key held by a pending order of that many units. */
  async function expectConsistentOrders() {
    const orders = await db.kysely.selectFrom('orders').select(['id', 'status', 'subtotal', 'payment_ref']).execute();
    const items = await db.kysely.selectFrom('order_items').select(['order_id', 'unit_price', 'quantity']).execute();
    const reserved = await db.kysely
      .selectFrom('license_keys')
      .select(['order_id', db.kysely.fn.countAll<number>().as('n')])
      .where('status', '=', 'reserved')
      .groupBy('order_id')
      .execute();
    for (const o of orders) {
      const lines = items.filter((i) => i.order_id === o.id);
      expect(lines.length, `order ${o.id} has no items`).toBeGreaterThan(0);
      expect(lines.reduce((s, i) => s + i.unit_price * i.quantity, 0)).toBe(o.subtotal);
      const units = lines.reduce((s, i) => s + i.quantity, 0);
      expect(Number(reserved.find((r) => r.order_id === o.id)?.n ?? 0)).toBe(o.status === 'pending' ? units : 0);
    }
    expect(reserved.every((r) => orders.some((o) => o.id === r.order_id))).toBe(true);
    for (const [sessionId] of placed) expect(orders.filter((o) => o.payment_ref === sessionId)).toHaveLength(1);
    expect(placed.size).toBeGreaterThan(0);
  }

  it('keeps answering while PostgreSQL terminates its connections under load, then serves and sells as before', async () => {
    let terminated = 0;
    const stop = (async () => {
      for (let i = 0; i < 4; i++) {
        await sleep(400);
        const { rowCount } = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [dbName]);
        terminated += rowCount ?? 0;
      }
      await sleep(400);
    })();
    const answers = await traffic(stop);
    expect(terminated).toBeGreaterThan(0);
    expect(answers.length).toBeGreaterThan(20);
    expectOnlyExpected(answers);
    await expectRecovered();
    await expectConsistentOrders();
    expect(crashes).toEqual([]);
  });

  it('answers 503 while the database is unreachable, says not ready, and recovers when it is back', async () => {
    let cutAt = 0;
    let restoredAt = 0;
    const stop = (async () => {
      await sleep(500);
      cutAt = Date.now();
      proxy.cut();
      await sleep(3000);
      proxy.restore();
      restoredAt = Date.now();
      await sleep(300);
    })();
    const answers = await traffic(stop);
    expectOnlyExpected(answers);
    // Well inside the outage (past requests already under way when it began) nothing reaches the database.
    const during = answers.filter((a) => a.at > cutAt + 1500 && a.at < restoredAt);
    const readiness = during.filter((a) => a.what === 'readyz');
    expect(readiness.length).toBeGreaterThan(0);
    expect(readiness.every((a) => a.status === 503 && (JSON.parse(a.body) as { status: string }).status === 'unavailable')).toBe(true);
    expect(during.some((a) => a.what === 'api' && a.status === 503 && a.type.startsWith('application/json'))).toBe(true);
    expect(during.some((a) => a.what === 'page' && a.status === 503 && a.type.startsWith('text/html'))).toBe(true);

    // Ready again within seconds of the database's return, with new connections.
    const deadline = Date.now() + 5000;
    while ((await hit('readyz', '/readyz')).status !== 200) {
      if (Date.now() > deadline) throw new Error('/readyz not ready 5 s after the database came back');
      await sleep(100);
    }
    await expectRecovered();
    await expectConsistentOrders();
    expect(crashes).toEqual([]);
  });

  it('answers 503 within the connect timeout when the database stops answering, and recovers', async () => {
    proxy.hang();
    const started = Date.now();
    const [ready, api] = await Promise.all([visitorRequests[0]!(), visitorRequests[1]!()]);
    // connectTimeoutMs is 1 s here (5 s by default): nobody waits longer for a connection.
    expect(Date.now() - started).toBeLessThan(3000);
    expect(ready.status).toBe(503);
    expect(api.status).toBe(503);
    expect(JSON.parse(api.body)).toMatchObject({ error: { code: 'database_unavailable' } });
    proxy.restore();
    await expectRecovered();
    await expectConsistentOrders();
    expect(crashes).toEqual([]);
  });
});
