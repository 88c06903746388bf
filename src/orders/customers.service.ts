import type { Database } from '../platform/db/db.js';
import { createCustomersRepo } from './customers.repo.js';

/** What a buyer spent in one currency: paid orders' totals less what was refunded (tax included). */
export interface Spent {
  currency: string;
  amount: number;
}

/**
 * Buyers as the orders know them, by email address in any case. "Spent" counts fulfilled, partially
 * refunded and refunded orders (the ones whose money the shop took), less the refunded units at the
 * price paid for them, tax included (a wholly refunded order counts 0); pending, failed, cancelled,
 * expired and needs-attention orders count as orders but not as money spent. Per currency.
 */
export function createCustomersService({ db }: { db: Database }) {
  const repo = createCustomersRepo(db);

  /** Spent per address and currency for the given addresses (one query). */
  async function spentOf(emails: string[]): Promise<Map<string, Spent[]>> {
    const byEmail = new Map<string, Map<string, number>>();
    for (const o of await repo.findSpentOrders(emails)) {
      const total = Number(o.total);
      const refunded = Math.round((Number(o.refunded_net) * total) / Math.max(1, Number(o.subtotal)));
      const net = o.status === 'refunded' ? 0 : Math.max(0, total - refunded);
      const sums = byEmail.get(o.email) ?? new Map<string, number>();
      sums.set(o.currency, (sums.get(o.currency) ?? 0) + net);
      byEmail.set(o.email, sums);
    }
    return new Map(
      [...byEmail].map(([e, sums]) => [
        e,
        [...sums].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amount]) => ({ currency, amount })),
      ]),
    );
  }

  return {
    /** A page of buyers whose address begins with `prefix` (lower-cased), by address, with order count, spent and last order. */
    async listCustomers(prefix: string | null, limit: number, offset: number) {
      const [total, rows] = await Promise.all([repo.countCustomers(prefix), repo.findCustomers(prefix, limit, offset)]);
      const spent = await spentOf(rows.map((r) => r.email));
      return { total, customers: rows.map((r) => ({ ...r, spent: spent.get(r.email) ?? [] })) };
    },

    /** One buyer (lower-cased address): a page of their orders, newest first, and the same summary as the list; null when they have none. */
    async getCustomer(emailLower: string, limit: number, offset: number) {
      const [summary] = await repo.findCustomers(emailLower, 1, 0).then((rows) => rows.filter((r) => r.email === emailLower));
      if (!summary) return null;
      const [orders, spent] = await Promise.all([repo.findOrdersOf(emailLower, limit, offset), spentOf([emailLower])]);
      return { ...summary, spent: spent.get(emailLower) ?? [], orderList: orders };
    },
  };
}

export type CustomersService = ReturnType<typeof createCustomersService>;
