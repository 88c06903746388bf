/**
 * Two store instances, each with its own connection pool, on one PostgreSQL schema and one Redis:
 * what a deployment with several instances behind a load balancer relies on. Runs with
 * TEST_DATABASE_URL (as every PostgreSQL test); Redis from TEST_REDIS_URL, else 127.0.0.1:6379.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../dev/smtp-sink.js';
import { buildApp } from '../../src/app.js';
import { createOrdersService } from '../../src/orders/orders.service.js';
import { testConfig } from '../support/env.js';
import { createDatabase, type Database } from '../../src/platform/db/db.js';
import { createMailService, type MailService } from '../../src/platform/mail/mail.service.js';
import { loginAs, startTestIdp, TEST_STORE_URL, type LoggedIn, type SessionJson, type TestIdp } from '../support/auth.js';
import { createTestDatabase, postgresUrl, type TestDatabase } from '../support/database.js';
import { catalogFixtures, makeKeyLimProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';
import {
  driveSession,
  forwardWebhooksTo,
  gatewayEnv,
  startTestGateway,
  startWebhookReceiver,
  type DevGateway,
} from '../support/gateway.js';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Instance {
  app: FastifyInstance & { jobs: { expireStaleOrders(): Promise<number> } };
  db: Database;
  mail: MailService;
}

describe.skipIf(!postgresUrl)('two instances on one PostgreSQL and Redis', () => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let sink: SmtpSink;
  let shared: TestDatabase;
  let fx: CatalogFixtures;
  let a: Instance;
  let b: Instance;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  async function startInstance(env: Record<string, string>, db: Database): Promise<Instance> {
    const config = testConfig(env);
    const mail = createMailService({ db, smtpUrl: config.smtpUrl, from: config.mailFrom });
    const app = await buildApp({ config, db, mail });
    await app.ready();
    return { app, db, mail };
  }

  beforeAll(async () => {
    const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000 });
    await probe.connect().catch((err: Error) => {
      throw new Error(`These tests need Redis at ${redisUrl} (set TEST_REDIS_URL): ${err.message}`);
    });
    probe.disconnect();
    idp = await startTestIdp();
    gateway = await startTestGateway();
    sink = await startSmtpSink();
    shared = await createTestDatabase('postgres', { poolSize: 5 });
    fx = catalogFixtures(shared);
    const env = { ...idp.env, ...gatewayEnv(gateway), REDIS_URL: redisUrl, SMTP_URL: sink.url };
    a = await startInstance(env, shared);
    b = await startInstance(env, createDatabase(postgresUrl!, { searchPath: shared.schema!, poolSize: 5 }));
    // Every webhook the gateway sends reaches instance B only.
    receiver = await startWebhookReceiver(forwardWebhooksTo(b.app));
    gateway.setWebhookUrl(receiver.url);
  });
  afterAll(async () => {
    for (const i of [a, b].filter(Boolean)) {
      await i.app.close();
      i.mail.close();
    }
    await b?.db.destroy();
    await shared?.drop();
    await receiver?.close();
    await gateway?.close();
    await sink?.close();
    await idp?.close();
  });

  const sessionOn = async (instance: Instance, buyer: LoggedIn) =>
    (await instance.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: buyer.cookie } })).json<SessionJson>();

  it('accepts a session made on one instance on the other, and ends it on both at logout', async () => {
    const buyer = await loginAs(a.app, 'new');
    const onB = await sessionOn(b, buyer);
    expect(onB).toMatchObject({ authenticated: true, user: { sub: buyer.user.sub, email: buyer.user.email } });
    // Both instances have the same public origin: a post from a page A served is same-origin on B.
    const logout = await b.app.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: { ...buyer.headers, 'sec-fetch-site': 'same-origin', origin: TEST_STORE_URL },
    });
    expect(logout.statusCode).toBe(303);
    expect(await sessionOn(a, buyer)).toMatchObject({ authenticated: false });
  });

  it('fulfils an order placed on one instance from a webhook that reaches the other', async () => {
    const pool = await makeKeyLimProduct(fx, 3, { price: 1200 });
    const buyer = await loginAs(a.app, 'new');
    expect((await buyer.browser.request('/cart', { form: { action: 'add', sku: pool.sku, quantity: '2' } })).status).toBe(303);
    const review = await buyer.browser.request('/checkout');
    const idempotencyKey = /name="idempotencyKey" value="([^"]+)"/.exec(review.body)![1]!;
    const placed = await buyer.browser.request('/checkout', { form: { idempotencyKey } });
    expect(placed.location).toMatch(new RegExp(`^${gateway.url}/pay/cs_`));
    const sessionId = new URL(placed.location!).pathname.split('/').pop()!;
    const { id: orderId } = await shared.kysely
      .selectFrom('orders')
      .select('id')
      .where('payment_ref', '=', sessionId)
      .executeTakeFirstOrThrow();

    const delivered = receiver.received.length;
    await driveSession(gateway, sessionId, 'pay');
    const [hook] = (await receiver.waitFor(delivered + 1)).slice(delivered);
    expect(hook!.status).toBe(200);
    const order = await shared.kysely
      .selectFrom('orders')
      .select(['status', 'invoice_number'])
      .where('id', '=', orderId)
      .executeTakeFirstOrThrow();
    expect(order.status).toBe('fulfilled');
    expect(order.invoice_number).toBeGreaterThan(0);
    // What the buyer sees, asking either instance.
    const page = await b.app.inject({ method: 'GET', url: `/orders/${orderId}`, headers: { cookie: buyer.cookie } });
    expect(page.body).toContain('<span class="status status-fulfilled">Paid</span>');
    expect((await buyer.browser.request('/api/cart')).body).toContain('"count":0');
    expect((await fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(1);
  });

  it('counts a rate limit across both instances', async () => {
    // The login limit is 30 a minute per client; alternate the instances so each sees only 15.
    const remoteAddress = `10.${randomBytes(3).join('.')}`;
    const login = (i: Instance) => i.app.inject({ method: 'GET', url: '/login?returnTo=/', remoteAddress });
    const statuses: number[] = [];
    for (let n = 0; n < 30; n++) statuses.push((await login(n % 2 === 0 ? a : b)).statusCode);
    expect(statuses.every((s) => s === 303)).toBe(true);
    for (const i of [a, b]) {
      const refused = await login(i);
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    }
    // Another client is not affected.
    expect(
      (await a.app.inject({ method: 'GET', url: '/login?returnTo=/', remoteAddress: `10.${randomBytes(3).join('.')}` })).statusCode,
    ).toBe(303);
  });

  it('refreshes a session once when both instances find its token about to expire', async () => {
    const buyer = await loginAs(a.app, 'new');
    const mine = () =>
      shared.kysely
        .selectFrom('sessions')
        .select(['tokens_encrypted', 'access_expires_at'])
        .where('user_sub', '=', buyer.user.sub)
        .execute();
    const [before] = await mine();
    // The token has ten seconds left in the session's record: less than the refresh margin.
    const expiringSoon = () =>
      shared.kysely
        .updateTable('sessions')
        .set({ access_expires_at: Date.now() + 10_000 })
        .where('user_sub', '=', buyer.user.sub)
        .execute();
    await expiringSoon();
    const answers = await Promise.all([a, b, a, b, a, b].map((i) => sessionOn(i, buyer)));
    expect(answers.map((s) => s.authenticated)).toEqual([true, true, true, true, true, true]);
    // The provider rotates refresh tokens and revokes the grant when a used one comes back: had both
    // instances refreshed, one of them would have lost the session. It lives on with new tokens.
    const after = await mine();
    expect(after).toHaveLength(1);
    expect(after[0]!.tokens_encrypted).not.toBe(before!.tokens_encrypted);
    expect(after[0]!.access_expires_at).toBeGreaterThan(Date.now() + 200_000);
    // The rotated refresh token still works: the grant was never revoked.
    await expiringSoon();
    expect(await sessionOn(b, buyer)).toMatchObject({ authenticated: true });
    expect((await mine())[0]!.access_expires_at).toBeGreaterThan(Date.now() + 200_000);
  });

  it('runs each background job once: stale orders expire once, each mail is sent once', async () => {
    const pool = await makeKeyLimProduct(fx, 12);
    const product = await makeProduct(fx.catalog);
    const orders = createOrdersService({ db: shared });
    const past = Date.now() - 60_000;
    const stale = Array.from({ length: 6 }, () => `ord_${randomUUID().replaceAll('-', '').slice(0, 24)}`);
    for (const id of stale) {
      await shared.transaction(async (tx) => {
        await orders.createOrder(
          tx,
          {
            id,
            user_sub: 'sweeper-buyer',
            email: 'buyer@example.test',
            currency: 'EUR',
            subtotal: 200,
            tax: 0,
            total: 200,
            reserved_until: past,
            created_at: past,
            updated_at: past,
          },
          [{ product_id: pool.id, sku: pool.sku, name: 'Pool product', type: 'key_lim', unit_price: 100, quantity: 2 }],
        );
        await fx.keyPool.reserveKeys(tx, { productId: pool.id, orderId: id, quantity: 2, until: past });
      });
    }
    expect((await fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(0);
    const expired = await Promise.all([a, b, a, b].map((i) => i.app.jobs.expireStaleOrders()));
    expect(expired.reduce((x, y) => x + y, 0)).toBe(6);
    const events = await shared.kysely
      .selectFrom('order_events')
      .select(['order_id', 'event'])
      .where('order_id', 'in', stale)
      .where('event', '=', 'reservation_expired')
      .execute();
    expect(events.map((e) => e.order_id).sort()).toEqual([...stale].sort());
    expect((await fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(12);

    // Mail: both instances' workers drain one outbox, a few rows per claim.
    const earlier = await a.mail.countBacklog(); // e.g. the confirmation of the order paid above
    const subjects = Array.from({ length: 40 }, (_, n) => `Multi-instance mail ${n} for ${product.sku}`);
    for (const subject of subjects) await a.mail.enqueue({ recipient: 'owner@example.test', subject, textBody: 'Hello' });
    const sent = { a: 0, b: 0 };
    const drain = async (i: Instance, key: 'a' | 'b') => {
      for (let pass = 0; pass < 40 && (await i.mail.countBacklog()) > 0; pass++) sent[key] += (await i.mail.deliverDue(3)).sent;
    };
    await Promise.all([drain(a, 'a'), drain(b, 'b')]);
    expect(sent.a + sent.b).toBe(earlier + 40);
    expect(sent.a).toBeGreaterThan(0);
    expect(sent.b).toBeGreaterThan(0);
    await sink.waitFor(earlier + 40);
    const received = sink.messages.map((m) => m.subject).filter((s) => s.startsWith('Multi-instance mail'));
    expect(received.sort()).toEqual([...subjects].sort());
  });
});

describe('rate limits when Redis is down', () => {
  it('let requests through instead of locking everyone out, and answer quickly', async () => {
    const db = await createTestDatabase('sqlite');
    const app = await buildApp({ config: testConfig({ REDIS_URL: 'redis://127.0.0.1:1' }), db });
    try {
      await app.ready();
      const started = Date.now();
      for (let n = 0; n < 35; n++) {
        const res = await app.inject({ method: 'GET', url: '/auth/callback?state=x&code=y', remoteAddress: '10.9.9.9' });
        expect(res.statusCode).not.toBe(429);
      }
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await app.close();
      await db.drop();
    }
  });
});
