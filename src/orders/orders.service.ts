import type { Database, Executor } from '../platform/db/db.js';
import { NotFoundError, ValidationError } from '../platform/errors.js';
import { paginate, parsePageParam } from '../platform/pagination.js';
import { buildInvoice, type InvoiceData, type Seller } from './invoice.js';
import { creditNotePath } from './credit-notes.service.js';
import { createCreditNotesRepo } from './credit-notes.repo.js';
import { createInvoiceNumbersRepo } from './invoice-numbers.repo.js';
import { formatSeriesNumber, resolveSeries } from './order-number.js';
import { initialOrderState, nextOrderState, type OrderEvent, type OrderState } from './order-state.js';
import { spreadGatewayTax, type TaxedItem } from './gateway-tax.js';
import { createOrdersBillingRepo } from './orders-billing.repo.js';
import { createOrdersSearchRepo, type OrderSearch } from './orders-search.repo.js';
import { createOrdersRepo, type NewOrder, type NewOrderItem, type OrderRow } from './orders.repo.js';

export interface OrdersLogger {
  warn(obj: object, msg: string): void;
}

/** What a transition records beside the new status; the status itself only ever comes from the state table. */
export interface TransitionDetails {
  paid_at?: number;
  payment_intent?: string | null;
  attention_reason?: string | null;
  /** paying again (`payment_retried`): until when the keys reserved anew are held */
  reserved_until?: number;
}

export type ApplyResult =
  { applied: true; order: OrderRow; from: OrderState; to: OrderState } | { applied: false; order: OrderRow; reason: 'refused' | 'raced' };

/** Orders: creation, the only way their state changes, and what their owner may see. */
export function createOrdersService({
  db,
  clock = Date.now,
  log,
  invoiceSeries = 'INV-{YYYY}-',
}: {
  db: Database;
  clock?: () => number;
  log?: OrdersLogger;
  /** INVOICE_SERIES: the template of invoice number prefixes, `{YYYY}` the year of payment */
  invoiceSeries?: string;
}) {
  const repo = createOrdersRepo(db);
  const searchRepo = createOrdersSearchRepo(db);
  const billingRepo = createOrdersBillingRepo(db);
  const creditNotes = createCreditNotesRepo(db);
  const invoiceNumbers = createInvoiceNumbersRepo(db);
  return {
    /**
     * Records the tax and total the gateway computed (TAX_PROVIDER=stripe) when it settles the
     * payment, spread over the lines too (the invoice's totals are its lines'); the lines as now.
     */
    async recordGatewayTax<I extends TaxedItem>(
      tx: Executor,
      orderId: string,
      amounts: { tax: number; total: number },
      items: I[],
      pricesIncludeTax: boolean,
    ): Promise<I[]> {
      await billingRepo.setTaxTotals(orderId, amounts, clock(), tx);
      const lines = spreadGatewayTax(items, amounts.tax, pricesIncludeTax);
      if (!lines) return items;
      for (const l of lines) await billingRepo.setItemAmounts(l, tx);
      return items.map((item, i) => ({ ...item, ...lines[i]! }));
    },

    /** The billing details of the buyer's latest order that recorded them: checkout prefills its form with them. */
    async lastBilling(userSub: string) {
      const row = await billingRepo.findLastBilling(userSub);
      if (!row?.billing_country) return null;
      return {
        name: row.billing_name ?? '',
        country: row.billing_country,
        company: row.billing_company ?? undefined,
        address: row.billing_address ?? undefined,
        vatId: row.billing_vat_id ?? undefined,
      };
    },
    /** Whether createOrder writes in one statement (PostgreSQL), atomic without a transaction around it. */
    createsOrderInOneStatement: db.dialect === 'postgres',
    /** Inserts an order, in the state table's first state, with its item snapshots inside the checkout's transaction. */
    async createOrder(tx: Executor, order: Omit<NewOrder, 'status'>, items: NewOrderItem[]) {
      return repo.insertOrder(
        { ...order, status: initialOrderState },
        items,
        { order_id: order.id, from_status: null, to_status: initialOrderState, event: 'created', detail: null, created_at: clock() },
        tx,
      );
    },

    /**
     * Applies an event through the state machine inside the caller's transaction. A transition the
     * table refuses, or one a concurrent transaction already made, changes nothing, is recorded in
     * the order's event log and logged, and is reported so the caller can stop. `known` is the order
     * as the caller read it earlier in this transaction (not read again): the update only applies
     * while the order is still in that state, so a stale copy loses the race instead of overwriting.
     */
    async applyEvent(
      tx: Executor,
      orderId: string,
      event: OrderEvent,
      detail: string | null = null,
      details: TransitionDetails = {},
      known?: OrderRow,
      /** also give the order the next invoice number, in the same write (one statement on PostgreSQL) */
      withInvoice = false,
    ): Promise<ApplyResult> {
      const order = known?.id === orderId ? known : await repo.findOrder(orderId, tx);
      if (!order) throw new NotFoundError('No such order.', 'order_not_found');
      const now = clock();
      const from = order.status as OrderState;
      const step = nextOrderState(from, event);
      const logged = { order_id: orderId, from_status: from, event, detail, created_at: now };
      if (step.ok) {
        const patch = { ...details, status: step.to, updated_at: now };
        const event = { ...logged, to_status: step.to };
        const series = resolveSeries(invoiceSeries, details.paid_at ?? order.paid_at ?? now);
        const invoice = withInvoice ? await invoiceNumbers.updateStatusLoggedWithInvoice(orderId, from, patch, event, series, tx) : null;
        if (withInvoice ? invoice !== null : await repo.updateStatusLogged(orderId, from, patch, event, tx))
          return {
            applied: true,
            order: { ...order, ...patch, ...(invoice === null ? {} : { invoice_number: invoice, invoice_series: series }) },
            from,
            to: step.to,
          };
      }
      const reason = step.ok ? 'raced' : 'refused';
      log?.warn({ orderId, from, event, reason }, 'order event not applied');
      await repo.insertEvent(
        { order_id: orderId, from_status: from, to_status: null, event: `${event}:${reason}`, detail, created_at: now },
        tx,
      );
      return { applied: false, order, reason };
    },

    /**
     * Gives a paid order the next invoice number of the series of the year it was paid (now if
     * unknown), inside the paying transaction (gap-free, never reused).
     */
    async assignInvoiceNumber(
      tx: Executor,
      orderId: string,
      paidAt: number | null = null,
    ): Promise<{ invoice_number: number; invoice_series: string }> {
      const now = clock();
      const series = resolveSeries(invoiceSeries, paidAt ?? now);
      return { invoice_number: await invoiceNumbers.assignInvoiceNumber(orderId, series, now, tx), invoice_series: series };
    },

    /** Records the gateway's payment session of a pending order, to confirm or expire it later. */
    attachPaymentSession: (tx: Executor, orderId: string, session: { provider: string; ref: string }) =>
      repo.updateDetails(orderId, { payment_provider: session.provider, payment_ref: session.ref, updated_at: clock() }, tx),

    /** Why the owner must look at an order (null once nothing is left to do); its status is the state table's. */
    setAttentionReason: (tx: Executor, orderId: string, reason: string | null) =>
      repo.updateDetails(orderId, { attention_reason: reason, updated_at: clock() }, tx),

    /**
     * Takes the order's row lock for the rest of the transaction (PostgreSQL; SQLite has one writer):
     * two refunds of one order, the owner's and the gateway's, then run one after the other.
     */
    lockOrder: (tx: Executor, orderId: string) => repo.updateDetails(orderId, { updated_at: clock() }, tx),

    findOrder: (id: string, tx?: Executor) => repo.findOrder(id, tx),
    findOrderByPaymentIntent: (id: string, tx?: Executor) => repo.findOrderByPaymentIntent(id, tx),
    findOrderByIdempotencyKey: (key: string, tx?: Executor) => repo.findOrderByIdempotencyKey(key, tx),
    findItems: (orderId: string, tx?: Executor) => repo.findItems(orderId, tx),
    /** An order and its items in one read. */
    findOrderWithItems: (id: string, tx?: Executor) => repo.findOrderWithItems(id, tx),
    findEvents: (orderId: string, tx?: Executor) => repo.findEvents(orderId, tx),
    incrementRefunded: (tx: Executor, itemId: number, units: number) => repo.incrementRefunded(itemId, units, tx),
    findExpiredPending: (limit = 100) => repo.findExpiredPending(clock(), limit),

    /** The shop owner's search (see OrderSearch), newest first, with the number of matches. */
    async searchOrders(search: OrderSearch, limit: number, offset: number) {
      const [total, orders] = await Promise.all([searchRepo.countSearchOrders(search), searchRepo.searchOrders(search, limit, offset)]);
      return { total, orders };
    },
    /** How many orders are in each state (states without orders are absent). */
    countByStatus: () => searchRepo.countByStatus(),
    /** Up to `limit` orders in one state, most recently changed first. */
    findByStatus: (status: OrderState, limit: number) => searchRepo.findByStatus(status, limit),
    /** An order with its items, only for its owner: anyone else gets the same 404 as a missing order. */
    async getOrderForUser(id: string, userSub: string) {
      const found = await repo.findOrderWithItems(id);
      if (!found || found.order.user_sub !== userSub) throw new NotFoundError('We could not find that order.', 'order_not_found');
      return found;
    },

    /** The invoice of a paid order, only for its owner; anything else is the same 404. */
    async getInvoice(id: string, userSub: string, seller: Seller): Promise<InvoiceData> {
      const found = await repo.findOrderWithItems(id);
      const order = found?.order;
      if (!order || order.user_sub !== userSub || order.invoice_number === null)
        throw new NotFoundError('There is no invoice for that order.', 'invoice_not_found');
      const refunded = order.status === 'partially_refunded' || order.status === 'refunded';
      const notes = (refunded ? await creditNotes.findByOrder(id) : []).map((n) => {
        const printed = formatSeriesNumber(n.series, Number(n.number));
        return { printed, path: creditNotePath(id, printed), total: Number(n.total) };
      });
      return buildInvoice({ ...order, invoice_number: order.invoice_number }, found.items, seller, notes);
    },

    /** A page of the user's orders, newest first; `rawPage` is the `?page=` value. */
    async listOrdersOfUser(userSub: string, rawPage: string | undefined, pageSize = 20) {
      const page = parsePageParam(rawPage);
      if (page === null) throw new ValidationError('The page number must be a whole number, 1 or more.', undefined, 'invalid_page');
      const pagination = paginate(await repo.countOrdersOfUser(userSub), page, pageSize);
      if (page > pagination.pageCount) throw new NotFoundError('There is no such page of orders.');
      return { orders: await repo.findOrdersOfUser(userSub, pageSize, pagination.offset), pagination };
    },
  };
}

export type OrdersService = ReturnType<typeof createOrdersService>;
