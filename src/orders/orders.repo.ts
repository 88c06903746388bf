import type { Database, Executor } from '../platform/db/db.js';
import type { OrderItemsTable, OrdersTable } from '../platform/db/schema.js';
import type { Insertable, Selectable } from 'kysely';

export type OrderRow = Selectable<OrdersTable>;
export type OrderItemRow = Selectable<OrderItemsTable>;
export type NewOrder = Insertable<OrdersTable>;
export type NewOrderItem = Omit<Insertable<OrderItemsTable>, 'order_id'>;

/** Orders, their items and their event log. */
export function createOrdersRepo(db: Database) {
  return {
    async insertOrder(order: NewOrder, items: NewOrderItem[], tx: Executor) {
      await tx.insertInto('orders').values(order).execute();
      return tx.insertInto('order_items').values(items.map((i) => ({ ...i, order_id: order.id }))).returningAll().execute();
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

    findItems(orderId: string, tx: Executor = db.kysely) {
      return tx.selectFrom('order_items').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
    },

    findOrdersOfUser(userSub: string, limit: number, offset: number, tx: Executor = db.kysely) {
      return tx.selectFrom('orders').selectAll().where('user_sub', '=', userSub).orderBy('created_at', 'desc').orderBy('id').limit(limit).offset(offset).execute();
    },

    async countOrdersOfUser(userSub: string, tx: Executor = db.kysely): Promise<number> {
      const row = await tx.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).where('user_sub', '=', userSub).executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Pending orders whose reservation ran out, oldest first. */
    findExpiredPending(now: number, limit: number, tx: Executor = db.kysely) {
      return tx.selectFrom('orders').select('id').where('status', '=', 'pending').where('reserved_until', '<', now).orderBy('reserved_until').limit(limit).execute();
    },

    /**
     * Moves an order from one state to another only if it is still in `from`: of two racing
     * deliveries of the same payment, exactly one sees a row updated.
     */
    async updateStatus(id: string, from: string, patch: Partial<Omit<NewOrder, 'id'>> & { status: string }, tx: Executor): Promise<boolean> {
      const result = await tx.updateTable('orders').set(patch).where('id', '=', id).where('status', '=', from).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async updateOrder(id: string, patch: Partial<Omit<NewOrder, 'id'>>, tx: Executor) {
      await tx.updateTable('orders').set(patch).where('id', '=', id).execute();
    },

    async insertEvent(event: { order_id: string; from_status: string | null; to_status: string | null; event: string; detail: string | null; created_at: number }, tx: Executor = db.kysely) {
      await tx.insertInto('order_events').values(event).execute();
    },

    findEvents(orderId: string, tx: Executor = db.kysely) {
      return tx.selectFrom('order_events').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
    },

    /**
     * The next number of a gap-free sequence, taken inside the caller's transaction: the row lock
     * (PostgreSQL) or the single writer (SQLite) serialises concurrent payments, and a rollback gives
     * the number back, so invoice numbers are never skipped or reused.
     */
    async nextCounter(name: string, tx: Executor): Promise<number> {
      const row = await tx
        .insertInto('counters')
        .values({ name, value: 1 })
        .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ value: eb('counters.value', '+', 1) })))
        .returning('value')
        .executeTakeFirstOrThrow();
      return Number(row.value);
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
