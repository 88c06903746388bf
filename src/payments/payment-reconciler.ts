import type { Database } from '../platform/db/db.js';
import { AppError } from '../platform/errors.js';
import type { Payable } from './payable.js';
import { isSettled, type CheckoutSession, type PaymentGateway } from './payment-gateway.js';
import type { Payables } from './payment-events.service.js';

export interface ReconcilerDeps {
  db: Database;
  gateway: Pick<PaymentGateway, 'listCheckoutSessions'>;
  payables: Payables;
  clock?: () => number;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /**
   * How far back sessions are walked, ms. A session can be paid until it expires (24 h at most) and
   * a delayed payment method settles later still: 48 h covers the first with a day to spare.
   */
  windowMs?: number;
}

export interface ReconcileReport {
  /** sessions the gateway listed */
  checked: number;
  /** orders and donations settled here because no webhook had */
  settled: string[];
  /** pending ones whose session had expired unpaid */
  expired: string[];
  /** false when the gateway could not be reached (logged once per outage; the next run tries again) */
  reachable: boolean;
}

/**
 * Finds what missed webhooks would have told, as Stripe recommends: walks the sessions created in
 * the window and settles every paid one whose order or donation is not settled yet (and expires
 * pending ones whose session expired). Each step is the webhook's own conditional transition, so
 * a webhook arriving later, or another instance reconciling at the same time, changes nothing twice.
 */
export function createPaymentReconciler({ db, gateway, payables, clock = Date.now, log, windowMs = 48 * 3_600_000 }: ReconcilerDeps) {
  let unreachable = false;

  async function reconcileSession(session: CheckoutSession): Promise<'settled' | 'expired' | null> {
    const paid = isSettled(session);
    if (!session.reference || (!paid && session.status !== 'expired')) return null;
    const kind = session.kind === 'donation' || session.reference.startsWith('don_') ? 'donation' : 'order';
    const payable: Payable | undefined = payables[kind];
    if (!payable) return null;
    // Read outside a transaction: nearly every session was settled by its webhook long ago.
    const id = await payable.find(db.kysely, { reference: session.reference, paymentIntentId: null });
    if (!id) return null;
    const standing = await payable.standing(db.kysely, id);
    const source = `reconcile:${session.id}`;
    if (paid && standing !== 'done') {
      const payment = {
        amount: session.amountTotal,
        currency: session.currency,
        paymentIntentId: session.paymentIntentId,
        source,
        tax: session.amountTax,
      };
      const result = await db.transaction((tx) => payable.settle(tx, id, payment));
      return result.kind === 'not_applied' ? null : 'settled';
    }
    if (!paid && standing === 'pending') {
      const result = await db.transaction((tx) => payable.expire(tx, id, source));
      return result.kind === 'moved' ? 'expired' : null;
    }
    return null;
  }

  return {
    /** One pass over the window; safe to run on several instances at once. */
    async reconcile(): Promise<ReconcileReport> {
      const report: ReconcileReport = { checked: 0, settled: [], expired: [], reachable: true };
      try {
        for await (const session of gateway.listCheckoutSessions(clock() - windowMs)) {
          report.checked++;
          // One that cannot be settled (the owner must look at it) does not hold up the rest.
          const done = await reconcileSession(session).catch((err: unknown) => {
            if (err instanceof AppError && err.status === 503) throw err; // the database is away: the whole run ends
            log?.warn(
              { err, sessionId: session.id, reference: session.reference },
              'payment reconciliation: a session could not be applied',
            );
            return null;
          });
          if (done) report[done].push(session.reference!);
        }
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'payment_gateway_unavailable')) throw err;
        if (!unreachable) log?.warn({ err }, 'payment reconciliation: the gateway cannot be reached; trying again on the next run');
        unreachable = true;
        return { ...report, reachable: false };
      }
      if (unreachable) log?.info({}, 'payment reconciliation: the gateway is reachable again');
      unreachable = false;
      if (report.settled.length > 0)
        log?.warn(
          { settled: report.settled },
          'payment reconciliation settled payments whose webhooks never arrived: check the webhook endpoint',
        );
      return report;
    },
  };
}

export type PaymentReconciler = ReturnType<typeof createPaymentReconciler>;
