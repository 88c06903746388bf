import type { AuditActor, AuditService } from '../audit/audit.service.js';
import { donationStates, type DonationState } from '../donations/donation-state.js';
import type { DonationsService } from '../donations/donations.service.js';
import { NotFoundError, ValidationError } from '../platform/errors.js';
import { paginate } from '../platform/pagination.js';
import { parsePage } from './admin-query.js';

export const DONATIONS_PAGE_SIZE = 25;
const REASON_MAX = 500;
const DONATION_ID = /^don_[0-9a-f]{24}$/;

/** `?status=` for donations: empty means every state. */
function parseDonationStatus(raw: string | undefined): DonationState | null {
  if (raw === undefined || raw === '') return null;
  if ((donationStates as readonly string[]).includes(raw)) return raw as DonationState;
  throw new ValidationError(
    `There is no donation status "${raw.slice(0, 40)}". Choose one of: ${donationStates.join(', ')}.`,
    undefined,
    'invalid_status',
  );
}

type RefundHook = NonNullable<Parameters<DonationsService['refundDonation']>[1]>;

/** The audit row of a donation refund, written in the refund's transaction: the same from the browser and the CLI. */
export function donationRefundAudit(
  audit: Pick<AuditService, 'recordOwnerAction'>,
  actor: AuditActor,
  id: string,
  reason: string,
): RefundHook {
  return (tx, { before, amount, refundId }) =>
    audit.recordOwnerAction(
      {
        actor,
        action: 'donation.refund',
        subject: id,
        before: { status: before.status, amount: before.amount, currency: before.currency },
        after: { status: 'refunded', refunded: amount, refundId, reason },
      },
      tx,
    );
}

/** The owner's donations: the list, and the refund the CLI's `donations refund` makes, with its audit row in the same transaction. */
export function createAdminDonationsService({
  donations,
  audit,
}: {
  donations: Pick<DonationsService, 'listDonations' | 'countDonations' | 'refundDonation' | 'findDonation'>;
  audit: Pick<AuditService, 'recordOwnerAction'>;
}) {
  return {
    /** `GET /admin/donations`: newest first, in one state or all (400 for a bad state or page). */
    async list(raw: { status?: string; page?: string }) {
      const status = parseDonationStatus(raw.status);
      const page = parsePage(raw.page);
      const [total, rows] = await Promise.all([
        donations.countDonations(status ?? undefined),
        donations.listDonations(DONATIONS_PAGE_SIZE, (page - 1) * DONATIONS_PAGE_SIZE, status ?? undefined),
      ]);
      const pagination = paginate(total, page, DONATIONS_PAGE_SIZE);
      if (page > pagination.pageCount)
        throw new NotFoundError(`There is no page ${page} of donations; the last is ${pagination.pageCount}.`, 'page_not_found');
      return { status, donations: rows, pagination };
    },

    /** One donation, for the notice after a refund; undefined for an unknown id. */
    find: (id: string) => (DONATION_ID.test(id) ? donations.findDonation(id) : Promise.resolve(undefined)),

    /**
     * Refunds a donation with the owner's reason (kept in the audit log). `invalid_input` names the
     * reason field; the donations service's refusals (`already_refunded`, `not_paid`,
     * `refund_refused`, `refund_failed`) pass through unchanged.
     */
    async refund(actor: AuditActor, id: string, rawReason: string) {
      // Unknown first: a missing reason is shown beside that donation's field, so it must be listed.
      if (!DONATION_ID.test(id) || !(await donations.findDonation(id)))
        throw new NotFoundError(`There is no donation ${id.slice(0, 40)}.`, 'donation_not_found');
      const reason = rawReason.trim();
      if (reason === '' || reason.length > REASON_MAX)
        throw new ValidationError('Please correct the highlighted field.', {
          fields: { reason: reason === '' ? 'Please say why you refund it (kept in the audit log).' : `At most ${REASON_MAX} characters.` },
        });
      return donations.refundDonation(id, donationRefundAudit(audit, actor, id, reason));
    },
  };
}

export type AdminDonationsService = ReturnType<typeof createAdminDonationsService>;
