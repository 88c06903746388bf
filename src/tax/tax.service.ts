import type { AuditActor, AuditService } from '../audit/audit.service.js';
import type { Billing } from '../checkout/checkout.types.js';
import { createLoadingCache } from '../platform/cache.js';
import type { Config } from '../platform/config.js';
import type { Database } from '../platform/db/db.js';
import { ConflictError, NotFoundError, ValidationError } from '../platform/errors.js';
import { countryName, isCountry, isEuMember, normaliseCountry } from './tax.countries.js';
import { createTaxRepo, isDuplicateRate } from './tax.repo.js';
import {
  STANDARD_CATEGORY,
  bpToPercent,
  categoryProblem,
  dayOf,
  dayStart,
  percentToBp,
  rateRowAt,
  ratesFor,
  taxTreatment,
  type TaxRateRow,
} from './tax.rules.js';
import { formatOnlyVerifier, type VatIdVerifier } from './tax.verifier.js';
import { expectedVatIdFormat, normaliseVatId, vatIdProblem } from './tax.vat-ids.js';

export interface TaxDeps {
  db: Database;
  config: Pick<Config, 'tax'>;
  clock?: () => number;
  /** owner changes from /admin are logged in their transaction; the CLI's are not */
  audit?: Pick<AuditService, 'recordOwnerAction'>;
  /** a registry check after the format (VIES); format only by default */
  verifier?: VatIdVerifier;
}

/** What the rate form may get wrong, field by field. */
export type TaxRateFieldErrors = Partial<Record<'country' | 'category' | 'percent' | 'from' | 'note', string>>;

/** A new rate as typed: percent like "19" or "5.5", from a day as YYYY-MM-DD (today when empty). */
export interface TaxRateInput {
  country: string;
  category?: string;
  percent: string;
  from?: string;
  note?: string;
}

/** How long one instance reuses the rates table (read on every checkout); its own changes clear it at once. */
const RATES_TTL_MS = 30_000;
const NOTE_MAX = 200;

const invalid = (fields: TaxRateFieldErrors) =>
  new ValidationError('Please correct the highlighted fields.', { fields }, 'invalid_tax_rate');
const fieldError = (field: 'country' | 'vatId', message: string, code: string) =>
  new ValidationError(message, { field, fields: { [field]: message } }, code);

/** The rate rows with the one in force marked, grouped by country and category. */
function groupRates(rows: readonly TaxRateRow[], at: number) {
  const countries = new Map<string, Map<string, TaxRateRow[]>>();
  for (const r of rows) {
    const byCategory = countries.get(r.country) ?? countries.set(r.country, new Map()).get(r.country)!;
    (byCategory.get(r.category) ?? byCategory.set(r.category, []).get(r.category)!).push(r);
  }
  return [...countries.entries()]
    .sort(([a], [b]) => countryName(a).localeCompare(countryName(b), 'en'))
    .map(([country, byCategory]) => ({
      country,
      name: countryName(country),
      eu: isEuMember(country),
      categories: [...byCategory.entries()]
        .sort(([a], [b]) => (a === STANDARD_CATEGORY ? -1 : b === STANDARD_CATEGORY ? 1 : a.localeCompare(b)))
        .map(([category, list]) => {
          const current = rateRowAt(list, country, category, at) ?? null;
          return {
            category,
            current,
            rows: [...list]
              .sort((a, b) => b.validFrom - a.validFrom)
              .map((r) => ({ ...r, percent: bpToPercent(r.rateBp), from: dayOf(r.validFrom), state: stateOf(r, current, at) })),
          };
        }),
    }));
}

const stateOf = (r: TaxRateRow, current: TaxRateRow | null, at: number) =>
  r.id === current?.id ? ('current' as const) : r.validFrom > at ? ('upcoming' as const) : ('past' as const);

/**
 * Tax by the buyer's country (see docs/ARCHITECTURE.md, "Tax"): checkout's `assess`, and the owner's
 * rates table (list, add a row from a day, remove a row) for /admin/tax and the CLI.
 */
export function createTaxService({ db, config, clock = Date.now, audit, verifier = formatOnlyVerifier }: TaxDeps) {
  const repo = createTaxRepo(db);
  const cache = createLoadingCache<'rates', TaxRateRow[]>({ max: 1, ttlMs: RATES_TTL_MS, clock });
  const rates = () => cache.get('rates', () => repo.all());
  const { sellerCountry } = config.tax;

  async function assess(billing: Pick<Billing, 'country' | 'vatId'>, categories: string[], at: number) {
    const country = normaliseCountry(billing.country);
    if (!isCountry(country))
      throw fieldError('country', 'Please choose your country from the list (a two-letter ISO code such as DE).', 'unknown_country');
    const vatId = billing.vatId ? normaliseVatId(billing.vatId) : '';
    if (vatId) {
      const problem = vatIdProblem(country, vatId);
      if (problem) throw fieldError('vatId', problem, 'invalid_vat_id');
      if (isEuMember(country) && (await verifier.verify(country, vatId)) === 'invalid')
        throw fieldError(
          'vatId',
          `The EU register does not know the VAT ID ${vatId}. Please check it, or leave it empty.`,
          'unknown_vat_id',
        );
    }
    const treatment = taxTreatment({ sellerCountry, buyerCountry: country, vatId });
    const rows = treatment === 'rates' ? await rates() : [];
    return { rates: ratesFor(treatment, rows, country, categories, at), reverseCharge: treatment === 'reverse_charge' };
  }

  /** Checks a typed rate; the row to insert, or the problems field by field. */
  function parse(input: TaxRateInput): Omit<TaxRateRow, 'id'> {
    const errors: TaxRateFieldErrors = {};
    const country = normaliseCountry(input.country);
    if (!isCountry(country))
      errors.country =
        country === 'EL' ? 'Greece is GR here (EL is only its VAT ID prefix).' : 'Give a two-letter ISO country code, e.g. DE or US.';
    const category = (input.category ?? '').trim().toLowerCase() || STANDARD_CATEGORY;
    const categoryError = categoryProblem(category);
    if (categoryError) errors.category = categoryError;
    const rateBp = percentToBp(input.percent);
    if (rateBp === null) errors.percent = 'Give a percent from 0 to 100 with at most 2 decimals, e.g. 19 or 5.5.';
    const from = (input.from ?? '').trim() || dayOf(clock());
    const validFrom = dayStart(from);
    if (validFrom === null) errors.from = 'Give the first day as YYYY-MM-DD, e.g. 2027-01-01.';
    const note = (input.note ?? '').trim();
    if (note.length > NOTE_MAX) errors.note = `A note has at most ${NOTE_MAX} characters.`;
    if (Object.keys(errors).length > 0) throw invalid(errors);
    return { country, category, rateBp: rateBp!, validFrom: validFrom!, note };
  }

  return {
    pricesIncludeTax: config.tax.pricesIncludeTax,
    /** whether tax is charged at all (a seller country is configured) */
    enabled: sellerCountry !== null,
    sellerCountry,
    assess,
    /** What a VAT ID of this EU country looks like (for the checkout form's hint); null elsewhere. */
    expectedVatIdFormat: (country: string) => expectedVatIdFormat(normaliseCountry(country)),

    /** Every row of the rates table (cached for a short while on this instance). */
    rates,

    /** The rates table by country, each category's rows newest first with the one in force at `at` marked. */
    async list(at = clock()) {
      return groupRates(await rates(), at);
    },

    /** The tax categories a product may have: the table's and those products already use, standard first. */
    async categories(): Promise<string[]> {
      const known = new Set([STANDARD_CATEGORY, ...(await rates()).map((r) => r.category), ...(await repo.productCategories())]);
      return [STANDARD_CATEGORY, ...[...known].filter((c) => c !== STANDARD_CATEGORY).sort()];
    },

    /** Adds a row: the rate for (country, category) from a day on; `invalid_tax_rate` or `duplicate_tax_rate` naming the field. */
    async addRate(input: TaxRateInput, actor?: AuditActor): Promise<TaxRateRow> {
      const rate = parse(input);
      try {
        return await db.transaction(async (tx) => {
          const row = await repo.insert(rate, tx);
          if (audit && actor)
            await audit.recordOwnerAction(
              {
                actor,
                action: 'tax_rate.add',
                subject: `${row.country}/${row.category}`,
                after: { percent: bpToPercent(row.rateBp), from: dayOf(row.validFrom), note: row.note },
              },
              tx,
            );
          return row;
        });
      } catch (err) {
        if (!isDuplicateRate(err)) throw err;
        const message = `${rate.country} already has a ${rate.category} rate from ${dayOf(rate.validFrom)}: remove that row first, or choose another day.`;
        throw new ConflictError('duplicate_tax_rate', message, { fields: { from: message } });
      } finally {
        cache.clear();
      }
    },

    /** Removes a row (the one before it holds again from then); `tax_rate_not_found` when there is none. */
    async removeRate(id: number, actor?: AuditActor): Promise<TaxRateRow> {
      try {
        return await db.transaction(async (tx) => {
          const row = Number.isSafeInteger(id) ? await repo.findById(id, tx) : undefined;
          if (!row) throw new NotFoundError('There is no such tax rate.', 'tax_rate_not_found');
          await repo.delete(id, tx);
          if (audit && actor)
            await audit.recordOwnerAction(
              {
                actor,
                action: 'tax_rate.remove',
                subject: `${row.country}/${row.category}`,
                before: { percent: bpToPercent(row.rateBp), from: dayOf(row.validFrom), note: row.note },
              },
              tx,
            );
          return row;
        });
      } finally {
        cache.clear();
      }
    },
  };
}

export type TaxService = ReturnType<typeof createTaxService>;
