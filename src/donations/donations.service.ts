import { randomBytes } from 'node:crypto';
import { moved, type Payable, type PayableResult, type SettledPayment } from '../payments/payable.js';
import type { CheckoutSession, PaymentGateway } from '../payments/payment-gateway.js';
import { isSettled } from '../payments/payment-gateway.js';
import { PaymentGatewayUnavailableError } from '../payments/payments.errors.js';
import type { Database, Executor } from '../platform/db/db.js';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../platform/errors.js';
import type { MailSettings } from '../platform/mail/mail-blocks.js';
import type { MailService } from '../platform/mail/mail.service.js';
import type { DonationLimits } from './donation-amount.js';
import { checkDonationForm, type DonationForm } from './donation-form.js';
import { isUnpaidEnd, nextDonationState, type DonationEvent, type DonationState } from './donation-state.js';
import { createDonationsRepo, type DonationPatch, type DonationRow } from './donations.repo.js';
import { donationReceiptMail } from './receipt-mail.js';

export interface DonationsLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface DonationsDeps {
  db: Database;
  gateway: Pick<PaymentGateway, 'provider' | 'createCheckoutSession' | 'retrieveCheckoutSession' | 'expireCheckoutSession' | 'refund'>;
  mail: Pick<MailService, 'enqueue'>;
  config: MailSettings & { donations: DonationLimits };
  clock?: () => number;
  log?: DonationsLogger;
}

/** Who is giving: a logged-in donor's account, or a visitor (null). */
export type Donor = { sub: string; email: string } | null;
export type { DonationRow } from './donations.repo.js';

/** Donation ids reach the donor's browser and the gateway: 96 random bits, never a sequence. */
export const newDonationId = () => `don_${randomBytes(12).toString('hex')}`;

// The donor has an hour to pay (the gateway allows 30 minutes to 24 hours); nothing is held meanwhile.
const SESSION_MS = 60 * 60_000;
const silent: DonationsLogger = { info: () => undefined, warn: () => undefined };

/** Donations: the form, the payment session, and the gateway's events that move a donation on. */
export function createDonationsService({ db, gateway, mail, config, clock = Date.now, log = silent }: DonationsDeps) {
  const repo = createDonationsRepo(db);
  const limits = config.donations;

  /** Applies one state-table event if the donation is still where it was read; logs anything refused. */
  async function transition(
    tx: Executor,
    donation: DonationRow,
    event: DonationEvent,
    source: string,
    patch: DonationPatch = {},
  ): Promise<{ applied: true; from: DonationState; to: DonationState } | { applied: false; reason: 'refused' | 'raced' }> {
    const from = donation.status as DonationState;
    const step = nextDonationState(from, event);
    if (step.ok && (await repo.updateStatus(donation.id, from, { ...patch, status: step.to }, tx))) {
      log.info({ donationId: donation.id, from, to: step.to, event, source }, 'donation state changed');
      return { applied: true, from, to: step.to };
    }
    // Raced: another transaction moved it first (the webhook and the return page); refused: the table says no.
    const reason = step.ok ? 'raced' : 'refused';
    log.warn({ donationId: donation.id, from, event, source, reason }, 'donation event not applied');
    return { applied: false, reason };
  }

  /** One state-table event on a donation by id, as the payable lifecycle's result. */
  async function step(tx: Executor, id: string, event: DonationEvent, source: string): Promise<PayableResult> {
    const donation = await repo.findDonation(id, tx);
    if (!donation) throw new NotFoundError('We could not find that donation.', 'donation_not_found');
    return moved(await transition(tx, donation, event, source));
  }

  /**
   * A settled payment, from the webhook or the return page, whichever comes first: the conditional
   * update lets exactly one of them mark it paid and queue the receipt. A payment whose amount or
   * currency differs is set aside for the owner (needs_attention), as an order's is.
   */
  async function settle(tx: Executor, donationId: string, pay: SettledPayment): Promise<PayableResult> {
    const donation = await repo.findDonation(donationId, tx);
    if (!donation) throw new NotFoundError('We could not find that donation.', 'donation_not_found');
    const paid = { paid_at: clock(), payment_intent: pay.paymentIntentId };
    if (pay.amount !== donation.amount || pay.currency.toUpperCase() !== donation.currency) {
      const reason = `Paid ${pay.amount} ${pay.currency.toUpperCase()} for a donation of ${donation.amount} ${donation.currency}: refund it.`;
      const r = await transition(tx, donation, 'payment_mismatch', pay.source, { ...paid, attention_reason: reason });
      if (r.applied) log.warn({ donationId, reason, source: pay.source }, 'donation paid with a different amount: needs attention');
      return r.applied ? { kind: 'amount_mismatch' } : moved(r);
    }
    const r = await transition(tx, donation, 'payment_settled', pay.source, paid);
    if (!r.applied) return moved(r);
    if (r.from !== 'pending')
      log.warn({ donationId, from: r.from, source: pay.source }, 'late donation payment accepted: the donation is paid after all');
    if (donation.email) await mail.enqueue(donationReceiptMail({ ...donation, email: donation.email }, paid.paid_at, config), tx);
    return moved(r);
  }

  /** A donation's payable lifecycle, which the payment events service drives. */
  const payable: Payable = {
    find: async (tx, { reference }) => (reference ? ((await repo.findDonation(reference, tx))?.id ?? null) : null),
    async standing(tx, id) {
      const status = (await repo.findDonation(id, tx))?.status as DonationState | undefined;
      return status === 'pending' ? 'pending' : status && isUnpaidEnd(status) ? 'unpaid' : 'done';
    },
    settle,
    fail: (tx, id, source) => step(tx, id, 'payment_failed', source),
    expire: (tx, id, source) => step(tx, id, 'session_expired', source),
    cancel: (tx, id, source) => step(tx, id, 'payment_cancelled', source),
    /**
     * Only a refund of the whole amount moves a donation; a partial one is logged and the donation
     * stays as it is. For one paid with the wrong amount, the whole is what the charge took.
     */
    async refund(tx, id, { amountRefunded, chargeAmount }, source) {
      const donation = await repo.findDonation(id, tx);
      if (!donation) throw new NotFoundError('We could not find that donation.', 'donation_not_found');
      if (donation.status === 'refunded') return { kind: 'unchanged', why: 'refund_already_applied' };
      const whole = donation.status === 'needs_attention' && chargeAmount !== null ? chargeAmount : donation.amount;
      if (amountRefunded < whole) {
        log.warn(
          { donationId: id, refunded: amountRefunded, amount: donation.amount },
          'partial refund of a donation: the donation stays as it is',
        );
        return { kind: 'unchanged', why: 'partial_refund' };
      }
      return moved(await transition(tx, donation, 'refund_full', source));
    },
  };

  async function cancelUnpaid(id: string, detail: string) {
    await db.transaction((tx) => payable.cancel(tx, id, detail));
  }

  async function settleFromSession(donation: DonationRow, session: CheckoutSession | null) {
    if (!session || !isSettled(session) || session.reference !== donation.id) return;
    await db.transaction((tx) =>
      settle(tx, donation.id, {
        amount: session.amountTotal,
        currency: session.currency,
        paymentIntentId: session.paymentIntentId,
        source: `return:${session.id}`,
      }),
    );
  }

  return {
    limits,

    /** Paid donations of [from, to) per UTC day and currency (refunded ones and those set aside are left out). */
    sumPaidByDay: (from: number, to: number) => repo.sumPaidByDay(from, to),
    /** Newest donations first, in one state or all, for the owner (`donations list`). */
    listDonations: (limit = 50, offset = 0, status?: DonationState) => repo.findDonations(limit, offset, status),

    /** One donation by id, or undefined. */
    findDonation: (id: string) => repo.findDonation(id),

    /** How many donations there are, in one state or all (the owner's pagination). */
    countDonations: (status?: DonationState) => repo.countDonations(status),

    /**
     * POST /donate: checks the form, stores the pending donation, opens a payment session for it.
     * If the gateway cannot be reached the donation is cancelled and nothing is charged.
     */
    async startDonation(form: DonationForm, donor: Donor): Promise<{ donationId: string; paymentUrl: string }> {
      const { errors, value } = checkDonationForm(form, limits, donor?.email || null);
      if (!value) throw new ValidationError('Please correct the highlighted fields.', { fields: errors });
      const id = newDonationId();
      const now = clock();
      await db.transaction((tx) =>
        repo.insertDonation(
          {
            id,
            user_sub: donor?.sub ?? null,
            email: value.email,
            amount: value.amount,
            currency: limits.currency,
            message: value.message,
            status: 'pending',
            created_at: now,
          },
          tx,
        ),
      );
      try {
        const session = await gateway.createCheckoutSession({
          reference: id,
          kind: 'donation',
          lineItems: [{ name: `Donation to ${config.shopName}`, unitAmount: value.amount, quantity: 1 }],
          currency: limits.currency,
          ...(value.email ? { customerEmail: value.email } : {}),
          successUrl: `${config.publicUrl}/donate/thanks?donation=${id}&session_id={CHECKOUT_SESSION_ID}`,
          cancelUrl: `${config.publicUrl}/donate?cancelled=1&donation=${id}`,
          expiresAt: now + SESSION_MS,
          idempotencyKey: `donation-${id}`,
        });
        await repo.updateDonation(id, { payment_ref: session.id });
        return { donationId: id, paymentUrl: session.url };
      } catch (err) {
        log.warn({ err, donationId: id }, 'donation payment session could not be created');
        await cancelUnpaid(id, 'payment gateway unavailable');
        if (err instanceof AppError) throw err;
        throw new PaymentGatewayUnavailableError(String((err as Error)?.message ?? err));
      }
    },

    payable,

    /**
     * The owner's refund of a paid donation, or of one set aside for a wrong amount: the state table
     * moves it and the gateway pays the money back in one transaction, so a refusal changes nothing.
     * The gateway's later `charge.refunded` finds it refunded (`refund_already_applied`).
     * `onRefunded` runs in the same transaction once the gateway has refunded (the admin's audit row).
     */
    async refundDonation(
      id: string,
      onRefunded?: (tx: Executor, refund: { before: DonationRow; amount: number; refundId: string }) => Promise<void>,
    ): Promise<{ donation: DonationRow; amount: number; refundId: string }> {
      return db.transaction(async (tx) => {
        const donation = await repo.findDonation(id, tx);
        if (!donation) throw new NotFoundError(`There is no donation ${id}.`, 'donation_not_found');
        if (donation.status === 'refunded') throw new ConflictError('already_refunded', `Donation ${id} is already refunded.`);
        if (!donation.payment_intent)
          throw new ConflictError('not_paid', `Donation ${id} is ${donation.status}: only paid donations can be refunded.`);
        const r = await transition(tx, donation, 'refund_full', 'owner refund');
        if (!r.applied) throw new ConflictError('refund_refused', `Donation ${id} cannot be refunded from ${donation.status}.`);
        const result = await gateway.refund({ paymentIntentId: donation.payment_intent, idempotencyKey: `refund-${id}` });
        if (result.status === 'failed' || result.status === 'canceled')
          throw new AppError(
            'refund_failed',
            `The payment gateway did not refund donation ${id} (refund ${result.id} is ${result.status}); nothing was changed.`,
            502,
          );
        await onRefunded?.(tx, { before: donation, amount: result.amount, refundId: result.id });
        return { donation: { ...donation, status: r.to }, amount: result.amount, refundId: result.id };
      });
    },

    /**
     * GET /donate/thanks: only with the donation's own payment session id (anything else is the
     * same 404). A pending donation is confirmed with the gateway and settled here if the webhook
     * has not arrived yet.
     */
    async confirmReturn(id: string, sessionId: string): Promise<DonationRow> {
      const donation = await repo.findDonation(id);
      if (!donation || !donation.payment_ref || donation.payment_ref !== sessionId)
        throw new NotFoundError('We could not find that donation.', 'donation_not_found');
      if (donation.status !== 'pending') return donation;
      const session = await gateway
        .retrieveCheckoutSession(sessionId)
        .catch((err: unknown) => (log.warn({ err, donationId: id }, 'could not confirm the donation with the gateway'), null));
      await settleFromSession(donation, session);
      return (await repo.findDonation(id))!;
    },

    /**
     * The gateway's cancel link: the donation is cancelled first (so the session's expiry event,
     * which may overtake us, finds nothing left to do), then the session is ended so it can no
     * longer be paid. Had it been paid in the meantime, it is settled after all. Returns the state
     * the donation ends in, or null for an unknown id.
     */
    async cancelReturn(id: string): Promise<DonationState | null> {
      const donation = await repo.findDonation(id);
      if (!donation) return null;
      if (donation.status === 'pending') {
        await cancelUnpaid(id, 'cancelled by the donor');
        const session = donation.payment_ref
          ? await gateway
              .expireCheckoutSession(donation.payment_ref)
              .catch((err: unknown) => (log.warn({ err, donationId: id }, 'could not expire the donation’s payment session'), null))
          : null;
        await settleFromSession(donation, session);
      }
      return ((await repo.findDonation(id))?.status ?? null) as DonationState | null;
    },
  };
}

export type DonationsService = ReturnType<typeof createDonationsService>;
