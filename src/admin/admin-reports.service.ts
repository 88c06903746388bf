import type { DonationsService } from '../donations/donations.service.js';
import type { SalesService } from '../orders/sales.service.js';
import { ValidationError } from '../platform/errors.js';

const DAY = 86_400_000;
/** The periods the dashboard offers (`?days=`); 30 when none is asked for. */
export const REPORT_PERIODS = [7, 30, 90] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];
const TOP_PRODUCTS = 10;

/** One UTC day of one currency; amounts in minor units. */
export interface DayFigures {
  /** YYYY-MM-DD (UTC) */
  date: string;
  orders: number;
  gross: number;
  refunded: number;
  /** gross less what was refunded of that day's orders */
  net: number;
  donations: number;
  donationCount: number;
}

export type PeriodTotals = Omit<DayFigures, 'date'>;

/** A currency's days (every day of the period, empty ones included) and their totals. */
export interface CurrencyReport {
  currency: string;
  days: DayFigures[];
  totals: PeriodTotals;
}

export interface ReportsDeps {
  sales: Pick<SalesService, 'revenueByDay' | 'productSales'>;
  donations: Pick<DonationsService, 'sumPaidByDay'>;
  /** The shop's currency (DONATION_CURRENCY): listed first, and its empty chart shows when nothing was sold or given. */
  currency: string;
  clock?: () => number;
}

/** The `?days=` value: absent means 30; anything but 7, 30 or 90 is a 400 that says what works. */
export function parsePeriod(raw: string | undefined): ReportPeriod {
  if (raw === undefined) return 30;
  const found = REPORT_PERIODS.find((p) => String(p) === raw.trim());
  if (found === undefined) throw new ValidationError('The period must be 7, 30 or 90 days.', { field: 'days' }, 'invalid_period');
  return found;
}

const isoDay = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
const emptyTotals = (): PeriodTotals => ({ orders: 0, gross: 0, refunded: 0, net: 0, donations: 0, donationCount: 0 });

/** The dashboard's sales report: revenue per UTC day net of refunds, donations beside it, per currency. */
export function createAdminReportsService({ sales, donations, currency, clock = Date.now }: ReportsDeps) {
  return {
    /** The last `days` UTC days up to and including today, per currency, and the products sold in them. */
    async getSalesReport(rawDays: string | undefined) {
      const days = parsePeriod(rawDays);
      const today = Math.floor(clock() / DAY);
      const first = today - days + 1;
      const from = first * DAY;
      const to = (today + 1) * DAY;
      const [revenue, gifts, products] = await Promise.all([
        sales.revenueByDay(from, to),
        donations.sumPaidByDay(from, to),
        sales.productSales(from, to, currency, TOP_PRODUCTS),
      ]);

      const reports = new Map<string, CurrencyReport>();
      const reportOf = (code: string) => {
        let report = reports.get(code);
        if (!report) {
          const dayList = Array.from({ length: days }, (_, i) => ({ date: isoDay(first + i), ...emptyTotals() }));
          report = { currency: code, days: dayList, totals: emptyTotals() };
          reports.set(code, report);
        }
        return report;
      };
      for (const r of revenue) {
        const day = reportOf(r.currency).days[r.day - first];
        if (!day) continue;
        Object.assign(day, { orders: r.orders, gross: r.gross, refunded: r.refunded, net: r.gross - r.refunded });
      }
      for (const g of gifts) {
        const day = reportOf(g.currency).days[g.day - first];
        if (day) Object.assign(day, { donations: g.amount, donationCount: g.count });
      }
      if (reports.size === 0) reportOf(currency);
      for (const report of reports.values()) {
        for (const d of report.days) for (const key of Object.keys(report.totals) as (keyof PeriodTotals)[]) report.totals[key] += d[key];
      }
      // The shop's own currency first, the others by code: amounts in different currencies do not compare.
      const currencies = [...reports.values()].sort(
        (a, b) => Number(b.currency === currency) - Number(a.currency === currency) || a.currency.localeCompare(b.currency),
      );
      return { days, periods: REPORT_PERIODS, firstDate: isoDay(first), lastDate: isoDay(today), currencies, products };
    },
  };
}

export type AdminReportsService = ReturnType<typeof createAdminReportsService>;
export type SalesReport = Awaited<ReturnType<AdminReportsService['getSalesReport']>>;
