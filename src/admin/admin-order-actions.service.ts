import type { AuditActor, AuditService } from '../audit/audit.service.js';
import type { FulfilmentService, GrantAdjustment } from '../fulfilment/fulfilment.service.js';
import type { OrdersService } from '../orders/orders.service.js';
import type { OrderPayments } from '../payments/order-payments.js';
import type { RefundService } from '../payments/refund.service.js';
import type { Executor } from '../platform/db/db.js';
import { AppError, NotFoundError } from '../platform/errors.js';

const ORDER_ID = /^ord_[0-9a-f]{24}$/;
const WHOLE = /^\d{1,7}$/;
export const NOTE_MAX = 500;
export const EXTEND_MAX_DAYS = 365;

export type ActionForm = 'refund' | 'receipt' | 'downloads' | 'resolve';

/** An action's outcome: what was done (for `?done=`), or its form's problems by field (`form` for the whole form). */
export type ActionResult =
  | { ok: true; done: string }
  | { ok: false; form: ActionForm; errors: Record<string, string>; values: Record<string, string>; status: number };

export interface RefundForm {
  item?: string;
  units?: string;
  reason?: string;
  seen?: string;
}
export interface DownloadsForm {
  action?: string;
  item?: string;
  days?: string;
}
export interface ResolveForm {
  outcome?: string;
  note?: string;
  seen?: string;
}

export interface AdminOrderActionsDeps {
  orders: Pick<OrdersService, 'findOrder' | 'findItems' | 'setAttentionReason'>;
  refunds: Pick<RefundService, 'refundOrder'>;
  payments: Pick<OrderPayments, 'deliverByOwner' | 'resendReceipt'>;
  fulfilment: Pick<FulfilmentService, 'adjustGrants'>;
  audit: Pick<AuditService, 'recordOwnerAction'>;
}

// Which field an expected refusal belongs beside; anything else is about the whole form.
const fieldOf: Record<string, string> = { too_many_units: 'units', item_not_found: 'item' };

const text = (raw: string | undefined) => (raw ?? '').trim();
const whole = (raw: string | undefined) => (WHOLE.test(text(raw)) ? Number(text(raw)) : null);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** A required note of at most NOTE_MAX characters, or its problem. */
function noteProblem(note: string, what: string): string | null {
  if (note === '') return `Write ${what}: it is kept in the order’s history and the audit log.`;
  if (note.length > NOTE_MAX) return `Keep ${what} to ${NOTE_MAX} characters (it has ${note.length}).`;
  return null;
}

/**
 * The owner's actions on one order from the browser, each through the service the CLI uses (refunds,
 * late delivery, receipts, download grants), with its audit row in the same transaction.
 */
export function createAdminOrderActionsService({ orders, refunds, payments, fulfilment, audit }: AdminOrderActionsDeps) {
  const existing = async (id: string) => {
    const order = ORDER_ID.test(id) ? await orders.findOrder(id) : undefined;
    if (!order) throw new NotFoundError('There is no order with that id.', 'order_not_found');
    return order;
  };

  /** Runs an action; an expected refusal (an AppError but a database outage) becomes its form's message. */
  async function attempt(form: ActionForm, values: Record<string, string>, fn: () => Promise<string>): Promise<ActionResult> {
    try {
      return { ok: true, done: await fn() };
    } catch (err) {
      if (!(err instanceof AppError) || err.code === 'database_unavailable') throw err;
      return { ok: false, form, errors: { [fieldOf[err.code] ?? 'form']: err.message }, values, status: err.status };
    }
  }
  const invalid = (form: ActionForm, values: Record<string, string>, errors: Record<string, string>): ActionResult => ({
    ok: false,
    form,
    errors,
    values,
    status: 400,
  });

  return {
    /** Refunds the whole order or some units of one item, with a reason: gateway, revocation and mail as the CLI's refund. */
    async refund(actor: AuditActor, id: string, body: RefundForm): Promise<ActionResult> {
      const order = await existing(id);
      const values = { item: text(body.item) || 'all', units: text(body.units), reason: text(body.reason), seen: text(body.seen) };
      const items = await orders.findItems(order.id);
      const errors: Record<string, string> = {};
      const item = values.item === 'all' ? null : items.find((i) => String(i.id) === values.item);
      if (values.item !== 'all' && !item) errors.item = 'Choose the whole order or one of its items.';
      const units = whole(values.units);
      if (item && (units === null || units < 1)) errors.units = 'Write how many units to refund: a whole number, 1 or more.';
      const reason = noteProblem(values.reason, 'the reason for the refund');
      if (reason) errors.reason = reason;
      const seen = whole(values.seen);
      if (Object.keys(errors).length > 0) return invalid('refund', values, errors);
      return attempt('refund', values, async () => {
        await refunds.refundOrder(
          {
            orderId: order.id,
            ...(item ? { item: { sku: item.sku, units: units! } } : {}),
            reason: values.reason,
            ...(seen !== null ? { refundedUnitsSeen: seen } : {}),
          },
          async (tx, r) => {
            // A refund takes an order out of attention (state table): its reason no longer stands.
            if (r.from === 'needs_attention') await orders.setAttentionReason(tx, order.id, null);
            await audit.recordOwnerAction(
              {
                actor,
                action: 'order.refund',
                subject: order.id,
                before: { status: r.from, refundedUnits: seen },
                after: {
                  status: r.status,
                  refunded: r.units,
                  amount: r.amount,
                  currency: r.currency,
                  reason: values.reason,
                  refundId: r.refundId,
                },
              },
              tx,
            );
          },
        );
        return 'refunded';
      });
    },

    /** Queues the buyer's receipt again (paid orders only). */
    async resendReceipt(actor: AuditActor, id: string): Promise<ActionResult> {
      const order = await existing(id);
      return attempt('receipt', {}, async () => {
        const sent = await payments.resendReceipt(order.id, (tx, o) =>
          audit.recordOwnerAction({ actor, action: 'order.receipt.resend', subject: o.id, after: { to: o.email } }, tx),
        );
        if (!sent)
          throw new AppError(
            'no_receipt',
            order.status === 'refunded'
              ? 'This order is refunded in full: there is no receipt to resend (the buyer got a refund notice).'
              : `This order is ${order.status}: only a paid order has a receipt to resend.`,
            409,
          );
        return 'receipt';
      });
    },

    /** Resets the downloads of the order (or of one item) to zero, or extends them by 1 to 365 days, by the grant rules. */
    async adjustDownloads(actor: AuditActor, id: string, body: DownloadsForm): Promise<ActionResult> {
      const order = await existing(id);
      const values = { action: text(body.action), item: text(body.item), days: text(body.days) };
      const files = (await orders.findItems(order.id)).filter((i) => i.type === 'file');
      const chosen = values.item === '' ? files : files.filter((i) => String(i.id) === values.item);
      const errors: Record<string, string> = {};
      if (values.action !== 'reset' && values.action !== 'extend') errors.form = 'Choose “Reset downloads” or “Extend access”.';
      if (chosen.length === 0) errors.item = files.length === 0 ? 'This order has no downloads.' : 'Choose all downloads or one item.';
      const days = whole(values.days);
      if (values.action === 'extend' && (days === null || days < 1 || days > EXTEND_MAX_DAYS))
        errors.days = `Extend by a whole number of days from 1 to ${EXTEND_MAX_DAYS}.`;
      if (Object.keys(errors).length > 0) return invalid('downloads', values, errors);
      const change = values.action === 'reset' ? ({ type: 'reset' } as const) : ({ type: 'extend', days: days! } as const);
      const skuOf = new Map(chosen.map((i) => [i.id, i.sku]));
      const shown = (g: GrantAdjustment) =>
        change.type === 'reset'
          ? { sku: skuOf.get(g.itemId), unit: g.unit + 1, downloadsUsed: g.downloadsUsed }
          : { sku: skuOf.get(g.itemId), unit: g.unit + 1, accessUntil: day(g.expiresAt) };
      return attempt('downloads', values, async () => {
        const results = await fulfilment.adjustGrants(
          chosen.map((i) => i.id),
          change,
          async (tx, after, before) => {
            const changed = after.map((g, n) => [before[n]!, g] as const).filter(([, g]) => g.outcome === 'changed');
            if (changed.length === 0) return;
            const action = change.type === 'reset' ? 'order.downloads.reset' : 'order.downloads.extend';
            const entry = {
              actor,
              action,
              subject: order.id,
              before: changed.map(([b]) => shown(b)),
              after: changed.map(([, a]) => shown(a)),
            };
            await audit.recordOwnerAction(
              change.type === 'extend' ? { ...entry, after: { days: change.days, grants: entry.after } } : entry,
              tx,
            );
          },
        );
        if (results.length === 0) throw new AppError('no_downloads', 'This order has no downloads yet: it was not delivered.', 409);
        const changed = results.filter((r) => r.outcome === 'changed').length;
        if (changed === 0)
          throw new AppError(
            'grant_revoked',
            'These downloads were refunded and are revoked: a revoked download cannot be reset or extended.',
            409,
          );
        const verb = change.type === 'reset' ? 'downloads-reset' : 'downloads-extended';
        return changed < results.length ? `${verb}-partly` : verb;
      });
    },

    /** Resolves an order in attention: deliver it late, or refund it in full; the note goes to its history. */
    async resolve(actor: AuditActor, id: string, body: ResolveForm): Promise<ActionResult> {
      const order = await existing(id);
      const values = { outcome: text(body.outcome), note: text(body.note), seen: text(body.seen) };
      const errors: Record<string, string> = {};
      if (values.outcome !== 'deliver' && values.outcome !== 'refund') errors.outcome = 'Choose “Deliver” or “Refund”.';
      const note = noteProblem(values.note, 'a note on how you resolved it');
      if (note) errors.note = note;
      if (Object.keys(errors).length > 0) return invalid('resolve', values, errors);
      const before = { status: order.status, attentionReason: order.attention_reason };
      const record = (tx: Executor, after: object) =>
        audit.recordOwnerAction({ actor, action: 'order.resolve', subject: order.id, before, after: { ...after, note: values.note } }, tx);
      return attempt('resolve', values, async () => {
        if (values.outcome === 'deliver') {
          await payments.deliverByOwner(order.id, values.note, (tx) => record(tx, { status: 'fulfilled', outcome: 'deliver' }));
          return 'delivered';
        }
        const seen = whole(values.seen);
        await refunds.refundOrder(
          { orderId: order.id, reason: values.note, onlyFrom: 'needs_attention', ...(seen !== null ? { refundedUnitsSeen: seen } : {}) },
          async (tx, r) => {
            await orders.setAttentionReason(tx, order.id, null);
            await record(tx, { status: r.status, outcome: 'refund', amount: r.amount, currency: r.currency });
          },
        );
        return 'resolved-refund';
      });
    },
  };
}

export type AdminOrderActionsService = ReturnType<typeof createAdminOrderActionsService>;
