import type { Selectable } from 'kysely';
import type { Database, Executor } from '../platform/db/db.js';
import type { CreditNotesTable } from '../platform/db/schema.js';
import { takeCounter } from './counters.repo.js';
import { creditNoteCounter } from './order-number.js';

/** A credit note to number and store: its row but for the id and the number it is given. */
export type NewCreditNote = Omit<Selectable<CreditNotesTable>, 'id' | 'number'>;

/** Credit notes: numbered gap-free per series inside the refund's transaction. */
export function createCreditNotesRepo(db: Database) {
  return {
    /**
     * Takes the series' next number and stores the note, in the caller's (the refund's) transaction:
     * the counter row's lock (PostgreSQL) or the single writer (SQLite) serialises concurrent refunds,
     * and a rollback gives the number back. One statement on PostgreSQL, two on SQLite.
     */
    async insertNumbered(note: NewCreditNote, tx: Executor): Promise<number> {
      const counter = creditNoteCounter(note.series);
      if (db.dialect !== 'postgres') {
        const next = await takeCounter(tx, counter).executeTakeFirstOrThrow();
        await tx
          .insertInto('credit_notes')
          .values({ ...note, number: Number(next.value) })
          .execute();
        return Number(next.value);
      }
      const row = await tx
        .with('c', (q) => takeCounter(q, counter))
        .insertInto('credit_notes')
        .columns(['series', 'number', 'order_id', 'refund_ref', 'currency', 'lines', 'net', 'tax', 'total', 'reason', 'created_at'])
        .expression((eb) =>
          eb
            .selectFrom('c')
            .select([
              eb.val(note.series).as('series'),
              'c.value as number',
              eb.val(note.order_id).as('order_id'),
              eb.val(note.refund_ref).as('refund_ref'),
              eb.val(note.currency).as('currency'),
              eb.val(note.lines).as('lines'),
              eb.val(note.net).as('net'),
              eb.val(note.tax).as('tax'),
              eb.val(note.total).as('total'),
              eb.val(note.reason).as('reason'),
              eb.val(note.created_at).as('created_at'),
            ]),
        )
        .returning('number')
        .executeTakeFirstOrThrow();
      return Number(row.number);
    },

    /** An order's credit notes, oldest first. */
    findByOrder(orderId: string, tx: Executor = db.kysely) {
      return tx.selectFrom('credit_notes').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
    },
  };
}

export type CreditNotesRepo = ReturnType<typeof createCreditNotesRepo>;
