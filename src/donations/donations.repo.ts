import { sql, type Selectable } from 'kysely';
import type { Database, Executor } from '../platform/db/db.js';
import type { DonationsTable } from '../platform/db/schema.js';

export type DonationRow = Selectable<DonationsTable>;
export type NewDonation = Omit<DonationRow, 'payment_ref' | 'payment_intent' | 'paid_at' | 'attention_reason'>;
export type DonationPatch = Partial<Pick<DonationRow, 'payment_ref' | 'payment_intent' | 'paid_at' | 'attention_reason'>>;

/** Donations: one row each, its state changed only through updateStatus. */
export function createDonationsRepo(db: Database) {
  return {
    async insertDonation(row: NewDonation, tx: Executor = db.kysely): Promise<void> {
      await tx
        .insertInto('donations')
        .values({ ...row, payment_ref: null, payment_intent: null, paid_at: null, attention_reason: null })
        .execute();
    },

    findDonation(id: string, tx: Executor = db.kysely): Promise<DonationRow | undefined> {
      return tx.selectFrom('donations').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /**
     * Moves a donation from one state to another only if it is still in `from`: of the webhook and
     * the return page settling the same payment at once, exactly one sees a row updated.
     */
    async updateStatus(id: string, from: string, patch: DonationPatch & { status: string }, tx: Executor): Promise<boolean> {
      const result = await tx.updateTable('donations').set(patch).where('id', '=', id).where('status', '=', from).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Newest first; `id` breaks ties so pages never overlap. */
    findDonations(limit: number, offset: number, status?: string, tx: Executor = db.kysely): Promise<DonationRow[]> {
      return tx
        .selectFrom('donations')
        .selectAll()
        .$if(status !== undefined, (q) => q.where('status', '=', status!))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .offset(offset)
        .execute();
    },

    /** How many donations there are, in one state or all. */
    async countDonations(status?: string, tx: Executor = db.kysely): Promise<number> {
      const row = await tx
        .selectFrom('donations')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .$if(status !== undefined, (q) => q.where('status', '=', status!))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Paid donations of [from, to) per UTC day (days since 1970) and currency: how many, how much. */
    async sumPaidByDay(from: number, to: number, tx: Executor = db.kysely) {
      // A literal day length, so PostgreSQL sees one expression in the select list and the group by.
      const day = sql<number>`(paid_at / ${sql.lit(86_400_000)})`;
      const rows = await tx
        .selectFrom('donations')
        .select([day.as('day'), 'currency', (eb) => eb.fn.countAll<number>().as('count'), (eb) => eb.fn.sum<number>('amount').as('amount')])
        .where('status', '=', 'paid')
        .where('paid_at', '>=', from)
        .where('paid_at', '<', to)
        .groupBy([day, 'currency'])
        .execute();
      return rows.map((r) => ({ day: Number(r.day), currency: r.currency, count: Number(r.count), amount: Number(r.amount) }));
    },

    async updateDonation(id: string, patch: DonationPatch, tx: Executor = db.kysely): Promise<void> {
      await tx.updateTable('donations').set(patch).where('id', '=', id).execute();
    },
  };
}
