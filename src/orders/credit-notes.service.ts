import type { Database, Executor } from '../platform/db/db.js';
import { NotFoundError } from '../platform/errors.js';
import {
  buildCreditNote,
  creditNoteLines,
  creditNoteNumber,
  creditNoteTotals,
  type CreditNote,
  type CreditNoteData,
  type RefundedItem,
} from './credit-notes.js';
import { createCreditNotesRepo } from './credit-notes.repo.js';
import { buyerLines, REVERSE_CHARGE_NOTE, type Seller } from './invoice.js';
import { formatInvoiceNumber, resolveSeries } from './order-number.js';
import { createOrdersRepo, type OrderRow } from './orders.repo.js';

/** One refund to document: the order and its items as read before the refunded units were counted. */
export interface CreditNoteRequest {
  order: OrderRow;
  items: RefundedItem[];
  units: Array<{ itemId: number; units: number }>;
  /** minor units the gateway paid back with this refund */
  amount: number;
  reason: string;
  refundRef: string | null;
}

/** Who asks for a credit note: its order's buyer, or the shop owner. */
export interface CreditNoteViewer {
  sub: string;
  isOwner: boolean;
}

type Row = Awaited<ReturnType<ReturnType<typeof createCreditNotesRepo>['findByOrder']>>[number];

const parse = (r: Row): CreditNote => ({
  series: r.series,
  number: Number(r.number),
  orderId: r.order_id,
  refundRef: r.refund_ref,
  currency: r.currency,
  lines: JSON.parse(r.lines) as CreditNote['lines'],
  net: Number(r.net),
  tax: Number(r.tax),
  total: Number(r.total),
  reason: r.reason,
  createdAt: Number(r.created_at),
});

/** Credit notes: one per refund, issued in the refund's transaction, shown to the buyer and the owner. */
export function createCreditNotesService({
  db,
  clock = Date.now,
  series = 'CN-{YYYY}-',
}: {
  db: Database;
  clock?: () => number;
  /** CREDIT_NOTE_SERIES: `{YYYY}` is the year of the refund */
  series?: string;
}) {
  const repo = createCreditNotesRepo(db);
  const orders = createOrdersRepo(db);
  return {
    /** Issues the credit note of a refund inside its transaction; returns its printed number and its page's path. */
    async issue(tx: Executor, request: CreditNoteRequest): Promise<{ number: string; path: string }> {
      const { order } = request;
      const lines = creditNoteLines(order, request.items, request.units, request.amount);
      const now = clock();
      const resolved = resolveSeries(series, now);
      const number = await repo.insertNumbered(
        {
          series: resolved,
          order_id: order.id,
          refund_ref: request.refundRef,
          currency: order.currency,
          lines: JSON.stringify(lines),
          ...creditNoteTotals(lines),
          reason: request.reason.slice(0, 500),
          created_at: now,
        },
        tx,
      );
      const printed = creditNoteNumber({ series: resolved, number });
      return { number: printed, path: creditNotePath(order.id, printed) };
    },

    /** An order's credit notes, oldest first (no access check: callers show them on pages already guarded). */
    async listOfOrder(orderId: string, tx?: Executor): Promise<Array<CreditNote & { printed: string; path: string }>> {
      return (await repo.findByOrder(orderId, tx)).map(parse).map((n) => {
        const printed = creditNoteNumber(n);
        return { ...n, printed, path: creditNotePath(orderId, printed) };
      });
    },

    /** A credit note by its printed number, for its order's buyer or the owner; anyone else gets the same 404 as none. */
    async getForViewer(orderId: string, printed: string, viewer: CreditNoteViewer, seller: Seller): Promise<CreditNoteData> {
      const order = await orders.findOrder(orderId);
      const notFound = new NotFoundError('There is no such credit note.', 'credit_note_not_found');
      if (!order || (!viewer.isOwner && order.user_sub !== viewer.sub)) throw notFound;
      // An order has a few notes: matching the printed number needs no parsing of the series back out.
      const row = (await repo.findByOrder(orderId)).find(
        (r) => creditNoteNumber({ series: r.series, number: Number(r.number) }) === printed,
      );
      if (!row) throw notFound;
      const invoiceNumber = order.invoice_number === null ? null : formatInvoiceNumber(order.invoice_number, order.invoice_series);
      const reverseChargeNote = order.reverse_charge ? REVERSE_CHARGE_NOTE : null;
      return buildCreditNote(parse(row), { ...order, invoiceNumber, buyer: buyerLines(order), reverseChargeNote }, seller);
    },
  };
}

/** Where a credit note is shown. */
export const creditNotePath = (orderId: string, printed: string) => `/orders/${orderId}/credit-notes/${encodeURIComponent(printed)}`;

export type CreditNotesService = ReturnType<typeof createCreditNotesService>;
