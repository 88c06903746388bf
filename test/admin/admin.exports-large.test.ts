import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeProduct } from '../support/factories.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);
const CHUNK = 1000;
// Long names make each line a few hundred bytes, so the file is far larger than what sockets buffer.
const NAME = `Bulk product ${'x'.repeat(180)}`;

/**
 * Exports of a large period: every paid order arrives, and the route writes as it reads. A client
 * that stops reading stops the export (the database is asked for the next batch only when the
 * previous one has gone out), so a large file never sits in the server's memory.
 */
describe.each(testDialects)('CSV exports at scale on %s', (dialect) => {
  const N = dialect === 'sqlite' ? 100_000 : 20_000;
  let idp: TestIdp;
  let t: TestApp;
  let owner: LoggedIn;
  let base: string;

  beforeAll(async () => {
    idp = await startTestIdp();
    t = await createTestApp(dialect, idp.env);
    const product = await makeProduct(catalogFixtures(t.db).catalog, { sku: 'BULK-1' });
    // Spread over 100 days; every 10th partly refunded, so the refund arithmetic runs too.
    for (let from = 0; from < N; from += CHUNK) {
      const n = Array.from({ length: Math.min(CHUNK, N - from) }, (_, i) => from + i);
      const id = (i: number) => `ord_${i.toString(16).padStart(24, '0')}`;
      const paidAt = (i: number) => START + Math.floor((i * 100 * DAY) / N);
      await t.db.kysely
        .insertInto('orders')
        .values(
          n.map((i) => ({
            id: id(i),
            order_number: 1001 + i,
            user_sub: 'bulk',
            email: `buyer${i}@example.com`,
            status: i % 10 === 0 ? 'partially_refunded' : 'fulfilled',
            currency: 'EUR',
            subtotal: 2000,
            tax: 0,
            total: 2000,
            paid_at: paidAt(i),
            created_at: paidAt(i),
            updated_at: paidAt(i),
          })),
        )
        .execute();
      await t.db.kysely
        .insertInto('order_items')
        .values(
          n.map((i) => ({
            order_id: id(i),
            product_id: product.id,
            sku: 'BULK-1',
            name: NAME,
            type: 'key' as const,
            unit_price: 1000,
            quantity: 2,
            refunded_quantity: i % 10 === 0 ? 1 : 0,
          })),
        )
        .execute();
    }
    owner = await loginAs(t.app, 'owner');
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  }, 240_000);
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  /** Reads the whole body, counting lines and the money refunded, without keeping it. */
  async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, first: Uint8Array) {
    const decoder = new TextDecoder();
    let lines = 0;
    let tail = '';
    let refunded = 0;
    const take = (text: string) => {
      const parts = (tail + text).split('\r\n');
      tail = parts.pop()!;
      lines += parts.length;
      for (const line of parts) refunded += Number(line.slice(line.lastIndexOf(',') + 1)) || 0;
    };
    take(decoder.decode(first, { stream: true }));
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) take(decoder.decode(chunk.value, { stream: true }));
    return { lines, refunded, tail };
  }

  it.each([
    ['orders', N],
    ['sales', N],
  ])(
    'streams the %s file: every line arrives, read batch by batch as the client reads',
    async (kind, rows) => {
      const before = t.db.statementCount();
      const res = await fetch(`${base}/admin/exports/${kind}.csv?from=2026-01-01&to=2026-12-31`, { headers: { cookie: owner.cookie } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const reader = res.body!.getReader();
      const first = await reader.read();
      // The client stops reading: the server fills the socket's buffers and waits, far short of the end.
      await sleep(500);
      const whileWaiting = t.db.statementCount() - before;
      const { lines, refunded, tail } = await drain(reader, first.value!);
      const total = t.db.statementCount() - before;
      expect(tail).toBe('');
      expect(lines).toBe(rows + 1);
      // Every 10th order had one of its two units (10.00) refunded.
      expect(refunded).toBeCloseTo((N / 10) * 10, 2);
      const batches = Math.ceil(N / CHUNK);
      expect(total).toBeGreaterThanOrEqual(batches);
      // Loopback socket buffers grow to several megabytes, which PostgreSQL's 20k rows can fill
      // without waiting; SQLite's 100k rows (about 25 MB) cannot.
      if (dialect === 'sqlite') expect(whileWaiting).toBeLessThan(total / 2);
    },
    120_000,
  );
});
