import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { OrderEvent } from '../../src/orders/order-state.js';
import { createOrdersService } from '../../src/orders/orders.service.js';
import type { Database } from '../../src/platform/db/db.js';
import { type LoggedIn } from '../support/auth.js';

/** A fresh public order id, shaped like checkout's. */
export const newOrderId = () => `ord_${randomBytes(12).toString('hex')}`;

export interface OrderSpec {
  product: { id: number; sku: string };
  email: string;
  userSub?: string;
  id?: string;
  total?: number;
  currency?: string;
  createdAt?: number;
  /** Applied in order through the state machine (as the gateway's events would). */
  events?: OrderEvent[];
  paidAt?: number;
  attentionReason?: string;
}

/**
 * An order written through the orders service (created pending, then moved only by the state
 * machine), for lists that need many orders in chosen states faster than checkouts make them.
 * Nothing is delivered: these orders carry no keys or grants.
 */
export async function placeOrder(db: Database, spec: OrderSpec): Promise<string> {
  const createdAt = spec.createdAt ?? Date.now();
  const orders = createOrdersService({ db, clock: () => createdAt });
  const id = spec.id ?? newOrderId();
  const total = spec.total ?? 1900;
  await db.transaction(async (tx) => {
    await orders.createOrder(
      tx,
      {
        id,
        user_sub: spec.userSub ?? 'fixture-buyer',
        email: spec.email,
        currency: spec.currency ?? 'EUR',
        subtotal: total,
        tax: 0,
        total,
        created_at: createdAt,
        updated_at: createdAt,
      },
      [
        {
          product_id: spec.product.id,
          sku: spec.product.sku,
          name: `Fixture ${spec.product.sku}`,
          type: 'key',
          unit_price: total,
          quantity: 1,
        },
      ],
    );
    for (const event of spec.events ?? []) {
      const patch =
        event === 'payment_settled' || event === 'payment_mismatch'
          ? { paid_at: spec.paidAt ?? createdAt, ...(spec.attentionReason ? { attention_reason: spec.attentionReason } : {}) }
          : {};
      const result = await orders.applyEvent(tx, id, event, 'fixture', patch);
      if (!result.applied) throw new Error(`fixture event ${event} refused for ${id}`);
    }
  });
  return id;
}

/** Adds a product to a logged-in buyer's cart through the cart page's form. */
export async function addToCart(buyer: LoggedIn, sku: string, quantity = 1) {
  const res = await buyer.browser.request('/cart', { form: { action: 'add', sku, quantity: String(quantity) } });
  expect(res.status).toBe(303);
}

/** Opens /checkout and submits it as the browser would; returns the gateway session id it redirected to. */
export async function checkout(buyer: LoggedIn): Promise<string> {
  const page = await buyer.browser.request('/checkout');
  expect(page.status).toBe(200);
  const key = /name="idempotencyKey" value="([^"]+)"/.exec(page.body)?.[1] ?? 'missing-key-000000';
  const posted = await buyer.browser.request('/checkout', { form: { idempotencyKey: key } });
  expect(posted.status).toBe(303);
  return new URL(posted.location!).pathname.split('/').pop()!;
}

/** Waits until an order reaches a status (webhooks arrive asynchronously). */
export async function waitForStatus(db: Database, orderId: string, status: string) {
  let current = '';
  for (let i = 0; i < 200; i++) {
    current = (await db.kysely.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirstOrThrow()).status;
    if (current === status) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`order ${orderId} never became ${status} (is ${current})`);
}

/** Cells of the table row carrying `attr="value"`, as text (tags stripped, entities left). */
export function rowText(body: string, attr: string, value: string): string {
  const row = new RegExp(`<tr[^>]*${attr}="${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>([\\s\\S]*?)</tr>`).exec(body);
  if (!row) throw new Error(`no row with ${attr}="${value}"`);
  return row[1]!
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Every row of a table with the given class, as text. */
export function tableRows(body: string, tableClass: string): string[] {
  const table = new RegExp(`<table class="[^"]*\\b${tableClass}\\b[^"]*">([\\s\\S]*?)</table>`).exec(body);
  if (!table) return [];
  const tbody = /<tbody>([\s\S]*?)<\/tbody>/.exec(table[1]!)?.[1] ?? '';
  return [...tbody.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((m) =>
    m[1]!
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}
