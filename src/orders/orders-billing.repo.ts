import type { Database, Executor } from '../platform/db/db.js';

/** Billing details as orders recorded them, and the tax a gateway computed for one. */
export function createOrdersBillingRepo(db: Database) {
  return {
    /** The billing details of the buyer's latest order that has them (orders from before 021 have none). */
    findLastBilling(userSub: string, tx: Executor = db.kysely) {
      return tx
        .selectFrom('orders')
        .select(['billing_name', 'billing_company', 'billing_address', 'billing_country', 'billing_vat_id'])
        .where('user_sub', '=', userSub)
        .where('billing_country', 'is not', null)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
    },

    /** The tax and total as the gateway computed them (automatic tax), on a pending order. */
    async setTaxTotals(orderId: string, amounts: { tax: number; total: number }, updatedAt: number, tx: Executor) {
      await tx
        .updateTable('orders')
        .set({ ...amounts, updated_at: updatedAt })
        .where('id', '=', orderId)
        .execute();
    },

    /** A line's amounts after the gateway's tax replaced the store's (see gateway-tax.ts). */
    async setItemAmounts(item: { id: number; net: number; tax: number; gross: number; tax_rate_bp: number }, tx: Executor) {
      const { id, ...amounts } = item;
      await tx.updateTable('order_items').set(amounts).where('id', '=', id).execute();
    },
  };
}
