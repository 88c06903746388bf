import { sql } from 'kysely';
import type { Database, Executor } from '../platform/db/db.js';
import { takeCounter } from './counters.repo.js';
import { invoiceCounter } from './order-number.js';
import { eventValues, type NewOrderEvent, type StatusPatch } from './orders.repo.js';

/**
 * Invoice numbers: each resolved series (`INV-2026-`) counts gap-free in its own counters row, taken
 * in the paying transaction (a rollback gives the number back).
 */
export function createInvoiceNumbersRepo(db: Database) {
  return {
    /**
     * updateStatusLogged and assignInvoiceNumber in one: the order moves, is logged and gets the next
     * invoice number of `series` (its own counters row) only if it is still in `from`; null (nothing
     * written, no number taken) if not.
     * On PostgreSQL one statement: the order's row is locked first (`for update`, which waits for a
     * racing transaction and then sees its result), and the counter moves only for a locked row, so
     * a lost race takes no number. SQLite (one writer) in three.
     */
    async updateStatusLoggedWithInvoice(
      id: string,
      from: string,
      patch: StatusPatch,
      event: NewOrderEvent,
      series: string,
      tx: Executor,
    ): Promise<number | null> {
      const counter = invoiceCounter(series);
      if (db.dialect !== 'postgres') {
        // One writer at a time: the number the update reads from the counter is still the next one
        // when the counter is moved to it, three statements where the two methods take four.
        const moved = await tx
          .updateTable('orders')
          .set({
            ...patch,
            invoice_number: sql<number>`coalesce((select value from counters where name = ${counter}), 0) + 1`,
            invoice_series: series,
          })
          .where('id', '=', id)
          .where('status', '=', from)
          .returning('invoice_number')
          .executeTakeFirst();
        if (moved?.invoice_number == null) return null;
        const invoiceNumber = Number(moved.invoice_number);
        await tx.insertInto('order_events').values(event).execute();
        await tx
          .insertInto('counters')
          .values({ name: counter, value: invoiceNumber })
          .onConflict((oc) => oc.column('name').doUpdateSet({ value: invoiceNumber }))
          .execute();
        return invoiceNumber;
      }
      const row = await tx
        .with('l', (q) => q.selectFrom('orders').select('id').where('id', '=', id).where('status', '=', from).forUpdate())
        .with('c', (q) =>
          q
            .insertInto('counters')
            .columns(['name', 'value'])
            .expression((eb) => eb.selectFrom('l').select([eb.val(counter).as('name'), eb.val(1).as('value')]))
            .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ value: eb('counters.value', '+', 1) })))
            .returning('value'),
        )
        .with('u', (q) =>
          q
            .updateTable('orders')
            .set((eb) => ({ ...patch, invoice_series: series, invoice_number: eb.selectFrom('c').select('c.value') }))
            .where('id', '=', (eb) => eb.selectFrom('l').select('l.id'))
            .returning(['id', 'invoice_number']),
        )
        .with('e', (q) =>
          q
            .insertInto('order_events')
            .columns(['order_id', 'from_status', 'to_status', 'event', 'detail', 'created_at'])
            .expression((eb) => eb.selectFrom('u').select(['u.id as order_id', ...eventValues(event)]))
            .returning('id'),
        )
        .selectFrom('u')
        .select('u.invoice_number')
        .executeTakeFirst();
      return row?.invoice_number == null ? null : Number(row.invoice_number);
    },

    /**
     * Gives an order the next invoice number of a gap-free sequence, inside the caller's transaction:
     * the counter's row lock (PostgreSQL) or the single writer (SQLite) serialises concurrent payments,
     * and a rollback gives the number back, so numbers are never skipped or reused. One statement on
     * PostgreSQL (the counter's upsert as a CTE of the order's update), two on SQLite. `series` is the
     * resolved prefix; each has its own counter.
     */
    async assignInvoiceNumber(id: string, series: string, updatedAt: number, tx: Executor): Promise<number> {
      const counter = invoiceCounter(series);
      if (db.dialect !== 'postgres') {
        const next = await takeCounter(tx, counter).executeTakeFirstOrThrow();
        const invoiceNumber = Number(next.value);
        await tx
          .updateTable('orders')
          .set({ invoice_number: invoiceNumber, invoice_series: series, updated_at: updatedAt })
          .where('id', '=', id)
          .execute();
        return invoiceNumber;
      }
      const row = await tx
        .with('c', (q) => takeCounter(q, counter))
        .updateTable('orders')
        .set((eb) => ({ invoice_number: eb.selectFrom('c').select('c.value'), invoice_series: series, updated_at: updatedAt }))
        .where('id', '=', id)
        .returning('invoice_number')
        .executeTakeFirstOrThrow();
      return Number(row.invoice_number);
    },
  };
}
