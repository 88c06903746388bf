import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeProduct } from '../support/factories.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);
/** How many rows the export reads per query (batchSize in src/admin/admin-exports.service.ts). */
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
    // Spread over 100 days; every 10th partly refunded, so the refund arithmetic runs too. One
    // insert ... select over a generated series per table: the database makes the N rows itself
    // instead of the test sending them in 1000-row batches (seconds of parameter binding).
    const series =
      dialect === 'sqlite'
        ? sql`with recursive n(i) as (select 0 union all select i + 1 from n where i < ${N - 1}) select i from n`
        : sql`select generate_series(0, ${N - 1}) as i`;
    const id = dialect === 'sqlite' ? sql`'ord_' || printf('%024x', i)` : sql`'ord_' || lpad(to_hex(i), 24, '0')`;
    const paidAt = sql`cast(${START} as bigint) + (cast(i as bigint) * ${100 * DAY}) / ${N}`;
    await sql`insert into orders (id, order_number, user_sub, email, status, currency, subtotal, tax, total, paid_at, created_at, updated_at)
      select ${id}, 1001 + i, 'bulk', 'buyer' || i || '@example.com',
        case when i % 10 = 0 then 'partially_refunded' else 'fulfilled' end, 'EUR', 2000, 0, 2000, ${paidAt}, ${paidAt}, ${paidAt}
      from (${series}) s`.execute(t.db.kysely);
    await sql`insert into order_items (order_id, product_id, sku, name, type, unit_price, quantity, refunded_quantity)
      select ${id}, cast(${product.id} as integer), 'BULK-1', cast(${NAME} as text), 'key', 1000, 2, case when i % 10 = 0 then 1 else 0 end
      from (${series}) s`.execute(t.db.kysely);
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
