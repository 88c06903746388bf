import { randomBytes } from 'node:crypto';
import type { CheckoutSession, PaymentEvent, PaymentGateway } from '../payments/payment-gateway.js';
import { isSettled } from '../payments/payment-gateway.js';
import { PaymentGatewayUnavailableError } from '../payments/payments.errors.js';
import type { Database, Executor } from '../platform/db/db.js';
import { AppError, NotFoundError, ValidationError } from '../platform/errors.js';
import type { MailService } from '../platform/mail/mail.service.js';
import type { DonationLimits } from './donation-amount.js';
import { checkDonationForm, type DonationForm } from './donation-form.js';
import { nextDonationState, type DonationEvent, type DonationState } from './donation-state.js';
import { createDonationsRepo, type DonationPatch, type DonationRow } from './donations.repo.js';
import { donationReceiptMail } from './receipt-mail.js';

export interface DonationsLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface DonationsDeps {
  db: Database;
  gateway: Pick<PaymentGateway, 'provider' | 'createCheckoutSession' | 'retrieveCheckoutSession' | 'expireCheckoutSession'>;
  mail: Pick<MailService, 'enqueue'>;
  config: { publicUrl: string; shopName: string; donations: DonationLimits };
  clock?: () => number;
  log?: DonationsLogger;
}

/** Who is giving: a logged-in donor's account, or a visitor (null). */
export type Donor = { sub: string; email: string } | null;

interface SettledPayment {
  amount: number;
  currency: string;
  paymentIntentId: string | null;
  /** event id or `return:<session>`, for the log */
  source: string;
}

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
  ): Promise<{ applied: boolean; from: DonationState; outcome: string }> {
    const from = donation.status as DonationState;
    const step = nextDonationState(from, event);
    if (step.ok && (await repo.updateStatus(donation.id, from, { ...patch, status: step.to }, tx))) {
      log.info({ donationId: donation.id, from, to: step.to, event, source }, 'donation state changed');
      return { applied: true, from, outcome: step.to };
    }
    // Raced: another transaction moved it first (the webhook and the return page); refused: the table says no.
    const reason = step.ok ? 'raced' : 'refused';
    log.warn({ donationId: donation.id, from, event, source, reason }, 'donation event not applied');
    return { applied: false, from, outcome: `not_applied:${step.ok ? 'raced' : from}` };
  }

  /**
   * A settled payment, from the webhook or the return page, whichever comes first: the conditional
   * update lets exactly one of them mark it paid and queue the receipt. A payment whose amount or
   * currency differs changes nothing and is reported for the owner.
   */
  async function settle(tx: Executor, donationId: string, pay: SettledPayment): Promise<string> {
    const donation = await repo.findDonation(donationId, tx);
    if (!donation) return 'unknown_donation';
    if (pay.amount !== donation.amount || pay.currency.toUpperCase() !== donation.currency) {
      log.warn(
        {
          donationId,
          paid: pay.amount,
          paidCurrency: pay.currency,
          expected: donation.amount,
          currency: donation.currency,
          source: pay.source,
        },
        'donation paid with a different amount: needs attention (refund or accept by hand)',
      );
      return 'needs_attention:amount_mismatch';
    }
    const paidAt = clock();
    const r = await transition(tx, donation, 'payment_settled', pay.source, { paid_at: paidAt, payment_intent: pay.paymentIntentId });
    if (!r.applied) return r.outcome;
    if (r.from !== 'pending')
      log.warn({ donationId, from: r.from, source: pay.source }, 'late donation payment accepted: the donation is paid after all');
    if (donation.email) await mail.enqueue(donationReceiptMail({ ...donation, email: donation.email }, paidAt, config), tx);
    return r.from === 'pending' ? 'paid' : 'paid_late';
  }

  async function cancelUnpaid(id: string, detail: string) {
    await db.transaction(async (tx) => {
      const donation = await repo.findDonation(id, tx);
      if (donation) await transition(tx, donation, 'payment_cancelled', detail);
    });
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

    /** Newest donations first, for the owner (admin pages). */
    listDonations: (limit = 50, offset = 0) => repo.findDonations(limit, offset),

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

    settle,

    /** The webhook's share: every event whose reference is a donation, inside its transaction. Returns the outcome. */
    async applyEvent(tx: Executor, event: PaymentEvent): Promise<string> {
      const donation = event.reference ? await repo.findDonation(event.reference, tx) : undefined;
      if (!donation) {
        if (event.type !== 'unknown')
          log.warn({ eventId: event.id, reference: event.reference, type: event.rawType }, 'payment event for an unknown donation');
        return event.type === 'unknown' ? 'ignored' : 'unknown_donation';
      }
      switch (event.type) {
        case 'checkout.completed':
        case 'checkout.async_payment_succeeded':
          if (!isSettled(event)) return 'awaiting_payment'; // authorised or processing: not money yet
          return settle(tx, donation.id, {
            amount: event.amount ?? -1,
            currency: event.currency ?? '',
            paymentIntentId: event.paymentIntentId,
            source: event.id,
          });
        case 'checkout.async_payment_failed':
          // A declined attempt on a session that is still open: the donor may try again until it expires.
          if (event.sessionStatus === 'open') return 'attempt_failed';
          return (await transition(tx, donation, 'payment_failed', event.id)).outcome;
        case 'checkout.expired':
          return (await transition(tx, donation, 'session_expired', event.id)).outcome;
        case 'charge.refunded': {
          const refunded = event.amountRefunded ?? 0;
          if (refunded < donation.amount) {
            log.warn(
              { donationId: donation.id, refunded, amount: donation.amount },
              'partial refund of a donation: the donation stays paid',
            );
            return 'partial_refund';
          }
          return (await transition(tx, donation, 'refund_full', event.id)).outcome;
        }
        default:
          return 'ignored';
      }
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
