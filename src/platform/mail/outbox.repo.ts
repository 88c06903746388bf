import { sql } from 'kysely';
import type { Database, Executor } from '../db/db.js';

export interface OutgoingMail {
  recipient: string;
  subject: string;
  textBody: string;
  htmlBody?: string | null;
  /** Where the recipient's "Reply" goes (the contact mail: the visitor who wrote), when not to the sender. */
  replyTo?: string | null;
}

/** The mail outbox: rows written in the transaction of the event that causes them. */
export function createOutboxRepo(db: Database) {
  return {
    async insertMail(mail: OutgoingMail, now: number, tx: Executor = db.kysely) {
      await tx
        .insertInto('mail_outbox')
        .values({
          recipient: mail.recipient,
          subject: mail.subject,
          text_body: mail.textBody,
          html_body: mail.htmlBody ?? null,
          reply_to: mail.replyTo ?? null,
          next_attempt_at: now,
          created_at: now,
        })
        .execute();
    },

    /**
     * Leases up to `limit` due mails until `now + leaseMs`, in one statement (no transaction around
     * it). On PostgreSQL `for update skip locked` lets several instances claim at once without taking
     * the same row, and `any(array(…))` runs the `limit` subquery once (inside a plain `in` it may be
     * re-run per row, see key-pool.repo.ts); SQLite runs the statement alone, so it is exclusive.
     */
    async claimDue(now: number, limit: number, leaseMs: number, tx: Executor = db.kysely) {
      const due = tx
        .selectFrom('mail_outbox')
        .select('id')
        .where('sent_at', 'is', null)
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
        .orderBy('id')
        .limit(limit);
      return tx
        .updateTable('mail_outbox')
        .set({ locked_until: now + leaseMs, attempts: sql`attempts + 1` })
        .where((eb) =>
          db.dialect === 'postgres' ? eb('id', '=', sql<number>`any(array(${due.forUpdate().skipLocked()}))`) : eb('id', 'in', due),
        )
        .returningAll()
        .execute();
    },

    /** Marks a batch of delivered mails sent, in one statement. */
    async markSent(ids: number[], now: number, tx: Executor = db.kysely) {
      if (ids.length === 0) return;
      await tx.updateTable('mail_outbox').set({ sent_at: now, locked_until: null, last_error: null }).where('id', 'in', ids).execute();
    },

    async markFailed(id: number, error: string, nextAttemptAt: number | null, tx: Executor = db.kysely) {
      // A null next attempt gives up: the row stays unsent with its error for the owner to see.
      await tx
        .updateTable('mail_outbox')
        .set({ last_error: error.slice(0, 1000), locked_until: null, next_attempt_at: nextAttemptAt ?? Number.MAX_SAFE_INTEGER })
        .where('id', '=', id)
        .execute();
    },

    async countBacklog(tx: Executor = db.kysely): Promise<number> {
      const row = await tx
        .selectFrom('mail_outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('sent_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

export type OutboxRepo = ReturnType<typeof createOutboxRepo>;
