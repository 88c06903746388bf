import { donationStates } from '../donations/donation-state.js';
import type { DonationRow } from '../donations/donations.service.js';
import type { ViewContext } from '../pages/view-context.js';
import { formatMoney } from '../platform/money.js';
import { plural } from '../platform/plural.js';
import { AdminFrame, AdminPagination, When } from './admin-frame.view.js';
import type { AdminDonationsService } from './admin-donations.service.js';

type DonationList = Awaited<ReturnType<AdminDonationsService['list']>>;

const stateLabels: Record<string, string> = {
  pending: 'Pending (awaiting payment)',
  paid: 'Paid',
  failed: 'Payment failed',
  cancelled: 'Cancelled',
  expired: 'Expired',
  needs_attention: 'Needs attention',
  refunded: 'Refunded',
};
const refundable = (d: DonationRow) => (d.status === 'paid' || d.status === 'needs_attention') && d.payment_intent !== null;

/** What the page says above the list: a refund's outcome after its redirect, or why it was refused. */
export interface DonationsNotice {
  kind: 'success' | 'error';
  text: string;
}

/** GET /admin/donations: newest first, filter by state; needs-attention ones highlighted with their reason and a refund form. */
export function AdminDonationsPage({
  ctx,
  list,
  notice,
  refundError,
}: {
  ctx: ViewContext;
  list: DonationList;
  notice?: DonationsNotice | null;
  /** A refund form's field error, shown beside that donation's reason. */
  refundError?: { id: string; message: string; reason: string } | null;
}) {
  const { status, donations, pagination } = list;
  return (
    <AdminFrame ctx={ctx} title="Donations" section="donations">
      {notice && (
        <p class={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          {notice.text}
        </p>
      )}
      <form class="admin-filters" method="get" action="/admin/donations" aria-label="Filter donations">
        <div class="field">
          <label for="admin-donation-status">State</label>
          <select id="admin-donation-status" name="status">
            <option value="" selected={status === null}>
              Any state
            </option>
            {donationStates.map((s) => (
              <option value={s} selected={s === status}>
                {stateLabels[s]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Show</button>
      </form>
      <p class="result-count" role="status">
        {pagination.total === 0 ? 'No donations.' : `${plural(pagination.total, { one: 'donation', other: 'donations' })}, newest first.`}
      </p>
      {donations.length > 0 && (
        <table class="admin-table admin-donations stack">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Donor</th>
              <th scope="col" class="num">
                Amount
              </th>
              <th scope="col">State</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {donations.map((d) => {
              const error = refundError?.id === d.id ? refundError : null;
              const fieldId = `refund-reason-${d.id}`;
              return (
                <tr data-donation-id={d.id} class={d.status === 'needs_attention' ? 'attention' : undefined}>
                  <td>
                    <When ms={d.created_at} />
                  </td>
                  <td data-label="Donor">{d.email ?? <span class="none">anonymous</span>}</td>
                  <td class="num" data-label="Amount">
                    {formatMoney(d.amount, d.currency)}
                  </td>
                  <td class="donation-state">
                    <span class={`status status-${d.status}`}>{stateLabels[d.status] ?? d.status}</span>
                    {d.attention_reason && d.status === 'needs_attention' && <p class="attention-reason">{d.attention_reason}</p>}
                  </td>
                  <td>
                    {refundable(d) ? (
                      <form method="post" action={`/admin/donations/${d.id}/refund`} class="refund-form">
                        <label for={fieldId}>Reason</label>
                        <input
                          id={fieldId}
                          type="text"
                          name="reason"
                          value={error?.reason ?? ''}
                          maxLength={600}
                          required
                          aria-invalid={error ? 'true' : undefined}
                          aria-describedby={error ? `${fieldId}-error` : undefined}
                        />
                        {error && (
                          <p class="field-error" id={`${fieldId}-error`}>
                            {error.message}
                          </p>
                        )}
                        <button type="submit" class="secondary">
                          Refund
                        </button>
                      </form>
                    ) : (
                      <span class="none">—</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <AdminPagination pagination={pagination} path="/admin/donations" params={{ status }} />
    </AdminFrame>
  );
}
