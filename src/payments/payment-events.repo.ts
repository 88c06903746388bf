import type { Database, Executor } from '../platform/db/db.js';

/** Every gateway event received, unique by provider event id. */
export function createPaymentEventsRepo(db: Database) {
  return {
    /** Records an event; returns its row id, or null if this event id was seen before. */
    async insertEvent(
      row: { provider: string; event_id: string; type: string; order_id: string | null; payload: string; received_at: number },
      tx: Executor,
    ): Promise<number | null> {
      const inserted = await tx
        .insertInto('payment_events')
        .values(row)
        .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted?.id ?? null;
    },

    async markProcessed(id: number, outcome: string, now: number, tx: Executor) {
      await tx.updateTable('payment_events').set({ outcome, processed_at: now }).where('id', '=', id).execute();
    },

    findEventsOfOrder(orderId: string, tx: Executor = db.kysely) {
      return tx
        .selectFrom('payment_events')
        .select(['event_id', 'type', 'outcome', 'received_at', 'processed_at'])
        .where('order_id', '=', orderId)
        .orderBy('id')
        .execute();
    },
  };
}
