import type { Database, Executor } from '../platform/db/db.js';
import type { DB } from '../platform/db/schema.js';
import type { ExpressionBuilder } from 'kysely';

/**
 * The owner's order search: an id range (a prefix of `ord_` + hex as [prefix+0…, prefix+f…], which
 * the primary key serves on both engines), a lower-cased email (the `lower(email)` index), a status.
 */
export interface OrderSearch {
  idFrom?: string;
  idTo?: string;
  emailLower?: string;
  status?: string;
  /** the short number people quote (#1042): the unique index on order_number */
  orderNumber?: number;
  /** placed at or after (epoch ms) and before (exclusive): the created_at indexes */
  createdFrom?: number;
  createdBefore?: number;
  /** orders holding this (normalised) SKU: the order_items (sku, order_id) index */
  sku?: string;
}

/** The owner's reads across all orders: the search, the counts by state and the attention list. */
export function createOrdersSearchRepo(db: Database) {
  return {
    /** A page of the owner's search, newest first. */
    searchOrders(search: OrderSearch, limit: number, offset: number, tx: Executor = db.kysely) {
      return tx
        .selectFrom('orders')
        .select(['id', 'order_number', 'email', 'status', 'currency', 'total', 'created_at'])
        .where((eb) => eb.and(searchFilters(eb, search)))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .offset(offset)
        .execute();
    },

    async countSearchOrders(search: OrderSearch, tx: Executor = db.kysely): Promise<number> {
      const row = await tx
        .selectFrom('orders')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where((eb) => eb.and(searchFilters(eb, search)))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async countByStatus(tx: Executor = db.kysely): Promise<Map<string, number>> {
      const rows = await tx
        .selectFrom('orders')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      return new Map(rows.map((r) => [r.status, Number(r.n)]));
    },

    /** Orders in one status, the most recently changed first (the dashboard's attention list). */
    findByStatus(status: string, limit: number, tx: Executor = db.kysely) {
      return tx
        .selectFrom('orders')
        .select(['id', 'order_number', 'email', 'currency', 'total', 'attention_reason', 'created_at', 'updated_at'])
        .where('status', '=', status)
        .orderBy('updated_at', 'desc')
        .orderBy('id')
        .limit(limit)
        .execute();
    },
  };
}

export type OrdersSearchRepo = ReturnType<typeof createOrdersSearchRepo>;

function searchFilters(eb: ExpressionBuilder<DB, 'orders'>, search: OrderSearch) {
  return [
    ...(search.idFrom !== undefined ? [eb('id', '>=', search.idFrom)] : []),
    ...(search.idTo !== undefined ? [eb('id', '<=', search.idTo)] : []),
    ...(search.emailLower !== undefined ? [eb(eb.fn<string>('lower', ['email']), '=', search.emailLower)] : []),
    ...(search.status !== undefined ? [eb('status', '=', search.status)] : []),
    ...(search.orderNumber !== undefined ? [eb('order_number', '=', search.orderNumber)] : []),
    ...(search.createdFrom !== undefined ? [eb('created_at', '>=', search.createdFrom)] : []),
    ...(search.createdBefore !== undefined ? [eb('created_at', '<', search.createdBefore)] : []),
    ...(search.sku !== undefined
      ? [eb('id', 'in', eb.selectFrom('order_items').select('order_items.order_id').where('order_items.sku', '=', search.sku))]
      : []),
  ];
}
