import { randomBytes } from 'node:crypto';
import { EMPTY_DISCOUNT_FORM, type DiscountForm } from '../../src/discounts/discount.input.js';
import type { DiscountsService } from '../../src/discounts/discounts.service.js';
import type { OrdersService } from '../../src/orders/orders.service.js';
import type { Executor } from '../../src/platform/db/db.js';

let serial = 0;
/** A code no other test uses. */
export const freshCode = (base = 'SAVE') => `${base}-${process.pid.toString(36)}${(++serial).toString(36)}`.toUpperCase();

/** Creates a code through the owner's service; a 10 % code on every product unless told. */
export async function makeDiscount(discounts: Pick<DiscountsService, 'create'>, over: Partial<DiscountForm> = {}) {
  return discounts.create({ ...EMPTY_DISCOUNT_FORM, code: freshCode(), kind: 'percent', percent: '10', ...over });
}

/** A pending order of one line written through the orders service, in the caller's transaction. */
export async function insertPendingOrder(
  tx: Executor,
  orders: OrdersService,
  spec: { userSub: string; product: { id: number; sku: string }; at?: number },
) {
  const id = `ord_${randomBytes(12).toString('hex')}`;
  const at = spec.at ?? Date.now();
  await orders.createOrder(
    tx,
    {
      id,
      user_sub: spec.userSub,
      email: `${spec.userSub}@example.com`,
      currency: 'EUR',
      subtotal: 1900,
      tax: 0,
      total: 1900,
      created_at: at,
      updated_at: at,
    },
    [{ product_id: spec.product.id, sku: spec.product.sku, name: 'Fixture', type: 'key', unit_price: 1900, quantity: 1 }],
  );
  return id;
}
