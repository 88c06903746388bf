import type { Database, Executor } from '../platform/db/db.js';
import type { OrderItemsTable, OrdersTable } from '../platform/db/schema.js';
import { sql, type Insertable, type Selectable } from 'kysely';
import { jsonArrayFrom as postgresJsonArray } from 'kysely/helpers/postgres';
import { jsonArrayFrom as sqliteJsonArray } from 'kysely/helpers/sqlite';

export type OrderRow = Selectable<OrdersTable>;
export type OrderItemRow = Selectable<OrderItemsTable>;
export type NewOrder = Insertable<OrdersTable>;

// Every column of an item, named: SQLite builds each item's JSON object from the names (`satisfies`
// fails to compile when a column is added to the table and not here).
const itemColumns = Object.keys({
  id: true,
  order_id: true,
  product_id: true,
  sku: true,
  name: true,
  type: true,
  unit_price: true,
  quantity: true,
  refunded_quantity: true,
  download_limit: true,
  access_days: true,
  discount: true,
  tax_rate_bp: true,
  tax: true,
  net: true,
  gross: true,
} satisfies Record<keyof OrderItemRow, true>) as (keyof OrderItemRow)[];
export type NewOrderItem = Omit<Insertable<OrderItemsTable>, 'order_id'>;
/** A line of an order's event log. */
export interface NewOrderEvent {
  order_id: string;
  from_status: string | null;
  to_status: string | null;
  event: string;
  detail: string | null;
  created_at: number;
}
/** The columns an order changes after checkout, apart from its status. */
type DetailsPatch = Partial<
  Pick<
    OrderRow,
    | 'payment_provider'
    | 'payment_ref'
    | 'payment_intent'
    | 'paid_at'
    | 'attention_reason'
    | 'invoice_number'
    | 'invoice_series'
    | 'reserved_until'
  >
> & { updated_at: number };
export type StatusPatch = Omit<DetailsPatch, 'payment_provider' | 'payment_ref' | 'invoice_number' | 'invoice_series'> & { status: string };

/** Orders, their items and their event log. */
export function createOrdersRepo(db: Database) {
  return {
    /**
     * Inserts an order, its items and its first event; returns the items. On PostgreSQL in one
     * statement (data-modifying CTEs; the foreign keys are checked at its end), on SQLite in three.
     */
    async insertOrder(order: NewOrder, items: NewOrderItem[], event: NewOrderEvent, tx: Executor) {
      const rows = items.map((i) => ({ ...i, order_id: order.id }));
      if (db.dialect === 'postgres' && rows.length > 0)
        return tx
          .with('o', (q) => q.insertInto('orders').values(order).returning('id'))
          .with('e', (q) => q.insertInto('order_events').values(event).returning('id'))
          .insertInto('order_items')
          .values(rows)
          .returningAll()
          .execute();
      await tx.insertInto('orders').values(order).execute();
      await tx.insertInto('order_events').values(event).execute();
      return rows.length > 0 ? tx.insertInto('order_items').values(rows).returningAll().execute() : [];
    },

    findOrder(id: string, tx: Executor = db.kysely) {
      return tx.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
    },

    findOrderByPaymentIntent(paymentIntentId: string, tx: Executor = db.kysely) {
      return tx.selectFrom('orders').selectAll().where('payment_intent', '=', paymentIntentId).executeTakeFirst();
    },

    findOrderByIdempotencyKey(key: string, tx: Executor = db.kysely) {
      return tx.selectFrom('orders').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
    },

    /** An order with its items (in id order) in one statement, where findOrder and findItems take two. */
    async findOrderWithItems(id: string, tx: Executor = db.kysely): Promise<{ order: OrderRow; items: OrderItemRow[] } | undefined> {
      const jsonArray = db.dialect === 'postgres' ? postgresJsonArray : sqliteJsonArray;
      const row = await tx
        .selectFrom('orders')
        .selectAll('orders')
        .select((eb) =>
          jsonArray(
            eb
              .selectFrom('order_items')
              .select(itemColumns.map((c) => `order_items.${c}` as const))
              .whereRef('order_items.order_id', '=', 'orders.id')
              .orderBy('order_items.id'),
          ).as('items'),
        )
        .where('orders.id', '=', id)
        .executeTakeFirst();
      if (!row) return undefined;
      const { items, ...order } = row;
      // PostgreSQL's driver parses json; SQLite hands back its text.
      return { order, items: (typeof items === 'string' ? JSON.parse(items) : items) as OrderItemRow[] };
    },

    findItems(orderId: string, tx: Executor = db.kysely) {
      return tx.selectFrom('order_items').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
    },

    findOrdersOfUser(userSub: string, limit: number, offset: number, tx: Executor = db.kysely) {
      return tx
        .selectFrom('orders')
        .selectAll()
        .where('user_sub', '=', userSub)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(limit)
        .offset(offset)
        .execute();
    },

    async countOrdersOfUser(userSub: string, tx: Executor = db.kysely): Promise<number> {
      const row = await tx
        .selectFrom('orders')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_sub', '=', userSub)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Pending orders whose reservation ran out, oldest first. */
    findExpiredPending(now: number, limit: number, tx: Executor = db.kysely) {
      return tx
        .selectFrom('orders')
        .select(['id', 'payment_ref'])
        .where('status', '=', 'pending')
        .where('reserved_until', '<', now)
        .orderBy('reserved_until')
        .limit(limit)
        .execute();
    },

    /**
     * Moves an order from one state to another only if it is still in `from` (of two racing
     * deliveries of the same payment, exactly one sees a row updated), and only then logs `event`:
     * on PostgreSQL in one statement (the event is inserted from the update's returned row), on SQLite two.
     */
    async updateStatusLogged(id: string, from: string, patch: StatusPatch, event: NewOrderEvent, tx: Executor): Promise<boolean> {
      if (db.dialect !== 'postgres') {
        const moved = await tx.updateTable('orders').set(patch).where('id', '=', id).where('status', '=', from).executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) return false;
        await tx.insertInto('order_events').values(event).execute();
        return true;
      }
      const inserted = await tx
        .with('u', (q) => q.updateTable('orders').set(patch).where('id', '=', id).where('status', '=', from).returning('id'))
        .insertInto('order_events')
        .columns(['order_id', 'from_status', 'to_status', 'event', 'detail', 'created_at'])
        .expression((eb) => eb.selectFrom('u').select(['u.id as order_id', ...eventValues(event)]))
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    /** Everything an order records besides its status (which only updateStatus writes). */
    async updateDetails(id: string, patch: DetailsPatch, tx: Executor) {
      await tx.updateTable('orders').set(patch).where('id', '=', id).execute();
    },

    async insertEvent(event: NewOrderEvent, tx: Executor = db.kysely) {
      await tx.insertInto('order_events').values(event).execute();
    },

    findEvents(orderId: string, tx: Executor = db.kysely) {
      return tx.selectFrom('order_events').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
    },

    async incrementRefunded(itemId: number, units: number, tx: Executor) {
      await tx
        .updateTable('order_items')
        .set((eb) => ({ refunded_quantity: eb('refunded_quantity', '+', units) }))
        .where('id', '=', itemId)
        .execute();
    },
  };
}

export type OrdersRepo = ReturnType<typeof createOrdersRepo>;

/** An event's values as columns of a select, for inserting it from an update's returned row. */
export function eventValues(event: NewOrderEvent) {
  return [
    sql.val(event.from_status).as('from_status'),
    sql.val(event.to_status).as('to_status'),
    sql.val(event.event).as('event'),
    sql.val(event.detail).as('detail'),
    sql.val(event.created_at).as('created_at'),
  ] as const;
}
