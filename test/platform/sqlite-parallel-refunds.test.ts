/**
 * Owner commands racing one another on one SQLite file, each in its own process beside the running
 * store: 24 refunds of one order started at the same moment. A transaction that reads before it
 * writes takes the write lock when it begins (BEGIN IMMEDIATE), so each waits its turn instead of
 * failing with "database is locked": exactly one refund applies, the others say the order is
 * already refunded, and no owner sees a stack trace.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createDatabase, type Database } from '../../src/platform/db/db.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';
import { loginAs, startTestIdp, type TestIdp } from '../support/auth.js';
import { testConfig, testEnv } from '../support/env.js';
import { catalogFixtures, makeKeyLimProduct } from '../support/factories.js';
import {
  driveSession,
  forwardWebhooksTo,
  gatewayEnv,
  startTestGateway,
  startWebhookReceiver,
  type DevGateway,
} from '../support/gateway.js';

const PARALLEL = 24;
const root = resolve(import.meta.dirname, '../..');

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('parallel owner refunds of one order on SQLite', () => {
  let dir: string;
  let env: Record<string, string>;
  let db: Database;
  let idp: TestIdp;
  let gateway: DevGateway;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let app: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'store-refunds-'));
    idp = await startTestIdp();
    gateway = await startTestGateway();
    env = testEnv({ DATABASE_URL: `sqlite:${join(dir, 'store.db')}`, STORAGE_DIR: join(dir, 'files'), ...idp.env, ...gatewayEnv(gateway) });
    db = createDatabase(env.DATABASE_URL!);
    await migrateToLatest(db);
    app = await buildApp({ config: testConfig(env), db });
    await app.ready();
    receiver = await startWebhookReceiver(forwardWebhooksTo(app));
    gateway.setWebhookUrl(receiver.url);
  });
  afterAll(async () => {
    await app?.close();
    await db?.destroy();
    await receiver?.close();
    await gateway?.close();
    await idp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A paid, fulfilled order of `quantity` pool keys, bought through the store's pages and the gateway. */
  async function paidOrder(quantity: number): Promise<string> {
    const { sku } = await makeKeyLimProduct(catalogFixtures(db), quantity, { price: 1500 });
    const buyer = await loginAs(app, 'new');
    await buyer.browser.request('/cart', { form: { action: 'add', sku, quantity: String(quantity) } });
    const review = await buyer.browser.request('/checkout');
    const form = Object.fromEntries(
      [...review.body.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    const placed = await buyer.browser.request('/checkout', { form });
    expect(placed.location).toMatch(new RegExp(`^${gateway.url}/pay/cs_`));
    const sessionId = new URL(placed.location!).pathname.split('/').pop()!;
    await driveSession(gateway, sessionId, 'pay');
    for (let i = 0; i < 400; i++) {
      const order = await db.kysely.selectFrom('orders').select(['id', 'status']).where('payment_ref', '=', sessionId).executeTakeFirst();
      if (order?.status === 'fulfilled') return order.id;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('the order was not fulfilled');
  }

  /** Starts `argv` as PARALLEL separate CLI processes, lets them all go at once, and collects how each ended. */
  async function runAtOnce(argv: string[]): Promise<Exit[]> {
    const children = Array.from({ length: PARALLEL }, () =>
      spawn(process.execPath, ['--import', 'tsx', join(root, 'test/platform/cli-on-signal.ts'), ...argv], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
    const exits = children.map(
      (child) =>
        new Promise<Exit>((done) => {
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d) => (stdout += String(d)));
          child.stderr.on('data', (d) => (stderr += String(d)));
          child.on('close', (code) => done({ code, stdout: stdout.replace(/^ready\n/, ''), stderr }));
        }),
    );
    const ready = children.map(
      (child) =>
        new Promise<void>((done) => {
          const wait = (d: Buffer) => {
            if (String(d).includes('ready')) {
              child.stdout.off('data', wait);
              done();
            }
          };
          child.stdout.on('data', wait);
        }),
    );
    await Promise.all(ready);
    for (const child of children) child.stdin.end('go\n');
    return Promise.all(exits);
  }

  it(`applies exactly one of ${PARALLEL} simultaneous refunds; the others say so in one line`, async () => {
    const orderId = await paidOrder(2);
    const exits = await runAtOnce(['orders', 'refund', orderId]);

    const applied = exits.filter((e) => e.code === 0);
    expect(applied).toHaveLength(1);
    expect(applied[0]!.stdout).toMatch(new RegExp(`^Refunded €30\\.00 of order ${orderId} .*the order is now refunded\\.`));
    const refused = exits.filter((e) => e.code !== 0);
    for (const e of refused)
      expect({ code: e.code, stderr: e.stderr }).toEqual({ code: 1, stderr: `Order ${orderId} is already refunded in full.\n` });

    const order = await db.kysely.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirstOrThrow();
    expect(order.status).toBe('refunded');
    const events = await db.kysely.selectFrom('order_events').select('event').where('order_id', '=', orderId).execute();
    expect(events.filter((e) => e.event.startsWith('refund'))).toHaveLength(1);
    // The gateway paid back once.
    expect(gateway.events().filter((r) => r.event.type === 'refund.created')).toHaveLength(1);
  }, 120_000);
});
