import type { ComponentChildren } from 'preact';
import { nextUnitGross, refundedOfOrder } from '../orders/unit-amounts.js';
import { formatMoney } from '../platform/money.js';
import { EXTEND_MAX_DAYS, NOTE_MAX, type ActionForm, type ActionResult } from './admin-order-actions.service.js';
import type { AdminOrderDetail } from './admin.service.js';
import { Field } from './admin-field.view.js';

/** A refused action, shown again on the order page: its form, its values, its messages. */
export type FailedAction = Extract<ActionResult, { ok: false }>;

/** What the order page says after an action's redirect (`?done=`); unknown values say nothing. */
export const doneMessages: Record<string, string> = {
  refunded:
    'Refunded. The gateway paid the money back, the refunded units’ keys and downloads no longer work, a credit note was issued, and the buyer was sent a refund notice linking it.',
  receipt: 'The receipt was queued for the buyer again.',
  'downloads-reset': 'Downloads were reset to zero used.',
  'downloads-reset-partly': 'Downloads were reset to zero used; refunded (revoked) downloads stay revoked.',
  'downloads-extended': 'Download access was extended.',
  'downloads-extended-partly': 'Download access was extended; refunded (revoked) downloads stay revoked.',
  delivered: 'The order was delivered: its keys and downloads are on the buyer’s order page and the buyer was mailed.',
  'resolved-refund': 'The order was refunded in full and no longer needs attention; the buyer was sent a refund notice.',
};

/** The units refunded so far and what they came to (a full refund is the whole total; credit notes count amount-only refunds). */
export function refundedSoFar({
  order,
  items,
  creditNotes = [],
}: Pick<AdminOrderDetail, 'order' | 'items'> & { creditNotes?: Array<{ total: number }> }) {
  const units = items.reduce((n, i) => n + i.refunded_quantity, 0);
  const amount = refundedOfOrder(
    order,
    items,
    creditNotes.reduce((n, c) => n + c.total, 0),
  ).total;
  return { units, amount };
}

/** One action's panel: a heading, the message of the whole form if it was refused, the form. */
function Panel({ name, title, failed, children }: { name: ActionForm; title: string; failed?: FailedAction; children: ComponentChildren }) {
  const message = failed?.form === name ? failed.errors.form : undefined;
  const refused = failed?.form === name;
  return (
    <section class="admin-action" id={`action-${name}`} aria-labelledby={`action-${name}-title`}>
      <h3 id={`action-${name}-title`}>{title}</h3>
      {refused && (
        <p class="notice error" role="alert">
          {message ?? 'Nothing was done. Please correct the highlighted fields.'}
        </p>
      )}
      {children}
    </section>
  );
}

/** The resolve form of an order in attention: deliver it now, or refund it, with a note. */
export function ResolveAttention({ detail, failed }: { detail: AdminOrderDetail; failed?: FailedAction | undefined }) {
  const { order } = detail;
  const mine = failed?.form === 'resolve' ? failed : undefined;
  const v = mine?.values ?? {};
  const e = mine?.errors ?? {};
  return (
    <Panel name="resolve" title="Resolve" failed={failed}>
      {order.status === 'needs_attention' && (
        <form method="post" action={`/admin/orders/${order.id}/resolve`} class="admin-action-form" novalidate>
          <input type="hidden" name="seen" value={String(refundedSoFar(detail).units)} />
          <fieldset class={e.outcome ? 'field invalid' : 'field'} aria-describedby={e.outcome ? 'resolve-outcome-error' : undefined}>
            <legend>How</legend>
            <label class="choice">
              <input type="radio" name="outcome" value="deliver" checked={v.outcome !== 'refund'} /> Deliver now (keys and downloads as a
              paid order gets them)
            </label>
            <label class="choice">
              <input type="radio" name="outcome" value="refund" checked={v.outcome === 'refund'} /> Refund the whole order
            </label>
            {e.outcome && (
              <p class="field-error" id="resolve-outcome-error">
                {e.outcome}
              </p>
            )}
          </fieldset>
          <Field id="resolve-note" label="Note (kept in the order’s history)" error={e.note}>
            {(a) => (
              <textarea {...a} name="note" rows={2} maxLength={NOTE_MAX} required>
                {v.note ?? ''}
              </textarea>
            )}
          </Field>
          <button type="submit">Resolve</button>
        </form>
      )}
    </Panel>
  );
}

/** Refund, receipt and download actions of one order, each a form posting to its own URL. */
export function OrderActions({ detail, failed }: { detail: AdminOrderDetail; failed?: FailedAction | undefined }) {
  const { order, items, grants } = detail;
  const money = (n: number) => formatMoney(n, order.currency);
  const so = refundedSoFar(detail);
  const left = items.filter((i) => i.quantity > i.refunded_quantity);
  const refundable = ['fulfilled', 'partially_refunded', 'needs_attention'].includes(order.status) && left.length > 0;
  const receipt = ['fulfilled', 'partially_refunded', 'needs_attention'].includes(order.status);
  const files = items.filter((i) => i.type === 'file' && grants.some((g) => g.itemId === i.id));
  const pick = (form: ActionForm) => (failed?.form === form ? failed : undefined);
  const r = pick('refund');
  const d = pick('downloads');
  return (
    <section class="admin-actions" aria-labelledby="actions-title">
      <h2 id="actions-title">Actions</h2>
      <div class="admin-action-grid">
        <Panel name="refund" title="Refund" failed={failed}>
          {so.units > 0 && (
            <p class="hint">
              Refunded so far: {so.units} {so.units === 1 ? 'unit' : 'units'}, {money(so.amount)}.
            </p>
          )}
          {refundable ? (
            <form method="post" action={`/admin/orders/${order.id}/refund`} class="admin-action-form" novalidate>
              <input type="hidden" name="seen" value={r?.values.seen ?? String(so.units)} />
              <Field id="refund-item" label="What" error={r?.errors.item}>
                {(a) => (
                  <select {...a} name="item">
                    <option value="all" selected={(r?.values.item ?? 'all') === 'all'}>
                      Everything not yet refunded
                    </option>
                    {left.map((i) => (
                      <option value={String(i.id)} selected={r?.values.item === String(i.id)}>
                        {`${i.sku} (${i.quantity - i.refunded_quantity} left, ${money(nextUnitGross(i, order))} each)`}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field id="refund-units" label="Units (for one item)" error={r?.errors.units}>
                {(a) => <input {...a} type="number" name="units" min={1} step={1} inputMode="numeric" value={r?.values.units ?? '1'} />}
              </Field>
              <Field id="refund-reason" label="Reason (kept in the order’s history)" error={r?.errors.reason}>
                {(a) => (
                  <textarea {...a} name="reason" rows={2} maxLength={NOTE_MAX} required>
                    {r?.values.reason ?? ''}
                  </textarea>
                )}
              </Field>
              <button type="submit">Refund</button>
            </form>
          ) : (
            <p class="empty">{order.status === 'refunded' ? 'Refunded in full.' : 'Only a paid order can be refunded.'}</p>
          )}
        </Panel>

        <Panel name="receipt" title="Receipt" failed={failed}>
          <p class="hint">Sends the buyer ({order.email}) their receipt again.</p>
          {receipt ? (
            <form method="post" action={`/admin/orders/${order.id}/receipt`} class="admin-action-form">
              <button type="submit">Resend receipt</button>
            </form>
          ) : (
            <p class="empty">Only a paid order has a receipt.</p>
          )}
        </Panel>

        {files.length > 0 && (
          <Panel name="downloads" title="Downloads" failed={failed}>
            {(['reset', 'extend'] as const).map((action) => {
              const mine = d?.values.action === action ? d : undefined;
              return (
                <form method="post" action={`/admin/orders/${order.id}/downloads`} class="admin-action-form" novalidate>
                  <input type="hidden" name="action" value={action} />
                  <Field
                    id={`downloads-${action}-item`}
                    label={action === 'reset' ? 'Reset the download count of' : 'Extend the access of'}
                    error={mine?.errors.item}
                  >
                    {(a) => (
                      <select {...a} name="item">
                        <option value="">All downloads of this order</option>
                        {files.map((i) => (
                          <option value={String(i.id)} selected={mine?.values.item === String(i.id)}>
                            {i.sku}
                          </option>
                        ))}
                      </select>
                    )}
                  </Field>
                  {action === 'extend' && (
                    <Field id="downloads-days" label={`By days (1 to ${EXTEND_MAX_DAYS})`} error={mine?.errors.days}>
                      {(a) => (
                        <input
                          {...a}
                          type="number"
                          name="days"
                          min={1}
                          max={EXTEND_MAX_DAYS}
                          step={1}
                          inputMode="numeric"
                          value={mine?.values.days ?? '30'}
                        />
                      )}
                    </Field>
                  )}
                  <button type="submit">{action === 'reset' ? 'Reset to zero used' : 'Extend access'}</button>
                </form>
              );
            })}
          </Panel>
        )}
      </div>
    </section>
  );
}
