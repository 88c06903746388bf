import type { Database, Executor } from '../platform/db/db.js';
import type { TaxRateRow } from './tax.rules.js';

type Row = { id: number; country: string; category: string; rate_bp: number; valid_from: number | string | bigint; note: string };
const toRate = (r: Row): TaxRateRow => ({
  id: r.id,
  country: r.country,
  category: r.category,
  rateBp: r.rate_bp,
  validFrom: Number(r.valid_from),
  note: r.note,
});
const COLUMNS = ['id', 'country', 'category', 'rate_bp', 'valid_from', 'note'] as const;

/** The rates table: every row (a few hundred at most), one row added or removed at a time. */
export function createTaxRepo(db: Database) {
  return {
    /** Every row, by country, category and day. */
    async all(tx: Executor = db.kysely): Promise<TaxRateRow[]> {
      const rows = await tx.selectFrom('tax_rates').select(COLUMNS).orderBy('country').orderBy('category').orderBy('valid_from').execute();
      return rows.map(toRate);
    },

    async findById(id: number, tx: Executor = db.kysely): Promise<TaxRateRow | undefined> {
      const row = await tx.selectFrom('tax_rates').select(COLUMNS).where('id', '=', id).executeTakeFirst();
      return row && toRate(row);
    },

    /** Adds a row; the unique (country, category, valid_from) refuses a second from the same day. */
    async insert(rate: Omit<TaxRateRow, 'id'>, tx: Executor = db.kysely): Promise<TaxRateRow> {
      const row = await tx
        .insertInto('tax_rates')
        .values({ country: rate.country, category: rate.category, rate_bp: rate.rateBp, valid_from: rate.validFrom, note: rate.note })
        .returning(COLUMNS)
        .executeTakeFirstOrThrow();
      return toRate(row);
    },

    async delete(id: number, tx: Executor = db.kysely): Promise<void> {
      await tx.deleteFrom('tax_rates').where('id', '=', id).execute();
    },

    /** The categories products use, beside the table's: a category in use stays offered in the product form. */
    async productCategories(tx: Executor = db.kysely): Promise<string[]> {
      const rows = await tx.selectFrom('products').select('tax_category').distinct().execute();
      return rows.map((r) => r.tax_category);
    },
  };
}

/** True when an insert met the unique (country, category, valid_from) on either engine. */
export function isDuplicateRate(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
