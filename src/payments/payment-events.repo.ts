import type { Database, Executor } from '../platform/db/db.js';

/** Every gateway event received, unique by provider event id. */
export function createPaymentEventsRepo(db: Database) {
  return {
    /**
     * Records an event with what applying it did, in one statement; false if this event id was
     * recorded before (the caller rolls its effects back).
     */
    async insertEvent(
      row: {
        provider: string;
        event_id: string;
        type: string;
        order_id: string | null;
        payload: string;
        received_at: number;
        outcome: string;
        processed_at: number;
      },
      tx: Executor,
    ): Promise<boolean> {
      const inserted = await tx
        .insertInto('payment_events')
        .values(row)
        .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted !== undefined;
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
