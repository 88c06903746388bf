import { describe, expect, it } from 'vitest';
import type { Database } from '../platform/db/db.js';
import type { Payable, PayableStanding } from './payable.js';
import type { CheckoutSession } from './payment-gateway.js';
import { PaymentGatewayUnavailableError } from './payments.errors.js';
import { createPaymentReconciler } from './payment-reconciler.js';

const db = { kysely: {}, transaction: <T>(fn: (tx: unknown) => Promise<T>) => fn({}) } as unknown as Database;

function session(reference: string, over: Partial<CheckoutSession> = {}): CheckoutSession {
  return {
    id: `cs_${reference}`,
    reference,
    kind: 'order',
    status: 'complete',
    paymentStatus: 'paid',
    amountTotal: 1000,
    currency: 'EUR',
    paymentIntentId: `pi_${reference}`,
    url: null,
    expiresAt: 0,
    ...over,
  };
}

/** Orders by reference with their standing; settle and expire record what they were asked, `ord_broken` throws. */
function fakeOrders(standings: Record<string, PayableStanding>) {
  const calls: string[] = [];
  const payable = {
    find: async (_tx: unknown, { reference }: { reference: string | null }) => (reference && reference in standings ? reference : null),
    standing: async (_tx: unknown, id: string) => standings[id]!,
    settle: async (_tx: unknown, id: string, pay: { source: string }) => {
      if (id === 'ord_broken') throw new Error('reserved keys missing');
      calls.push(`settle ${id} ${pay.source}`);
      return { kind: 'moved', from: 'pending', to: 'fulfilled' };
    },
    expire: async (_tx: unknown, id: string, source: string) => {
      calls.push(`expire ${id} ${source}`);
      return { kind: 'moved', from: 'pending', to: 'expired' };
    },
  } as unknown as Payable;
  return { payable, calls };
}

function gatewayOf(sessions: CheckoutSession[] | Error) {
  return {
    async *listCheckoutSessions() {
      if (sessions instanceof Error) throw sessions;
      yield* sessions;
    },
  };
}

describe('the payment reconciler', () => {
  it('settles paid sessions whose order is not settled, expires pending ones whose session expired, and leaves the rest alone', async () => {
    const { payable, calls } = fakeOrders({ ord_a: 'pending', ord_b: 'done', ord_c: 'unpaid', ord_d: 'pending', ord_e: 'pending' });
    const sessions = [
      session('ord_a'),
      session('ord_b'),
      session('ord_c'),
      session('ord_d', { status: 'expired', paymentStatus: 'unpaid' }),
      session('ord_e', { status: 'open', paymentStatus: 'unpaid' }),
      session('ord_elsewhere'),
      session('', { reference: null }),
    ];
    const report = await createPaymentReconciler({ db, gateway: gatewayOf(sessions), payables: { order: payable } }).reconcile();
    expect(report).toEqual({ checked: 7, settled: ['ord_a', 'ord_c'], expired: ['ord_d'], reachable: true });
    expect(calls).toEqual(['settle ord_a reconcile:cs_ord_a', 'settle ord_c reconcile:cs_ord_c', 'expire ord_d reconcile:cs_ord_d']);
  });

  it('goes on past a session that cannot be applied, logging it', async () => {
    const { payable, calls } = fakeOrders({ ord_broken: 'pending', ord_a: 'pending' });
    const warnings: string[] = [];
    const log = { info: () => undefined, warn: (_o: object, msg: string) => void warnings.push(msg) };
    const reconciler = createPaymentReconciler({
      db,
      gateway: gatewayOf([session('ord_broken'), session('ord_a')]),
      payables: { order: payable },
      log,
    });
    expect((await reconciler.reconcile()).settled).toEqual(['ord_a']);
    expect(calls).toEqual(['settle ord_a reconcile:cs_ord_a']);
    expect(warnings).toContain('payment reconciliation: a session could not be applied');
  });

  it('reports an unreachable gateway once per outage and says when it is back', async () => {
    let listed: CheckoutSession[] | Error = new PaymentGatewayUnavailableError('connection refused');
    const lines: string[] = [];
    const log = { info: (_o: object, msg: string) => void lines.push(msg), warn: (_o: object, msg: string) => void lines.push(msg) };
    const gateway = { listCheckoutSessions: () => gatewayOf(listed).listCheckoutSessions() };
    const reconciler = createPaymentReconciler({ db, gateway, payables: {}, log });
    expect(await reconciler.reconcile()).toMatchObject({ reachable: false });
    expect(await reconciler.reconcile()).toMatchObject({ reachable: false });
    listed = [];
    expect(await reconciler.reconcile()).toMatchObject({ reachable: true });
    expect(lines).toEqual([
      'payment reconciliation: the gateway cannot be reached; trying again on the next run',
      'payment reconciliation: the gateway is reachable again',
    ]);
  });

  it('walks the sessions of the window it is given', async () => {
    let since = 0;
    const gateway = {
      async *listCheckoutSessions(createdSince: number) {
        since = createdSince;
        yield* [];
      },
    };
    await createPaymentReconciler({ db, gateway, payables: {}, clock: () => 100 * 3_600_000, windowMs: 48 * 3_600_000 }).reconcile();
    expect(since).toBe(52 * 3_600_000);
  });
});
