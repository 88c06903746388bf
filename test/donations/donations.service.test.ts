import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDonationsService } from '../../src/donations/donations.service.js';
import { applyPaymentEvent } from '../../src/payments/payment-events.service.js';
import type { PaymentEvent } from '../../src/payments/payment-gateway.js';
import type { Executor } from '../../src/platform/db/db.js';
import { createPaymentGateway } from '../../src/payments/payments.gateway.js';
import { testConfig } from '../support/env.js';
import { createMailService } from '../../src/platform/mail/mail.service.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { gatewayEnv, startTestGateway, type DevGateway } from '../support/gateway.js';

describe.each(testDialects)('the donations service on %s', (dialect) => {
  let db: TestDatabase;
  let gateway: DevGateway;
  // The gateway keeps real time (session expiry is checked against it), so the clock starts now.
  let now = Date.now();
  const warnings: Array<{ obj: object; msg: string }> = [];
  let service: ReturnType<typeof createDonationsService>;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    gateway = await startTestGateway();
    const config = testConfig(gatewayEnv(gateway));
    const clock = () => now;
    service = createDonationsService({
      db,
      gateway: createPaymentGateway(config, clock),
      mail: createMailService({ db, smtpUrl: 'smtp://127.0.0.1:9', from: 'shop@example.test', clock }),
      config,
      clock,
      log: { info: () => undefined, warn: (obj, msg) => warnings.push({ obj, msg }) },
    });
  });
  afterAll(async () => {
    await db.drop();
    await gateway.close();
  });

  const form = (amount: string) => ({ amount_choice: 'other', amount, message: '', email: '' });
  const event = (over: Partial<PaymentEvent>): PaymentEvent => ({
    id: `evt_${Math.random().toString(36).slice(2)}`,
    type: 'checkout.completed',
    rawType: 'checkout.session.completed',
    reference: null,
    kind: 'donation',
    sessionId: null,
    sessionStatus: 'complete',
    paymentIntentId: 'pi_test',
    paymentStatus: 'paid',
    amount: null,
    currency: 'EUR',
    created: now,
    ...over,
  });
  const apply = (tx: Executor, e: PaymentEvent) => applyPaymentEvent(tx, e, { donation: service.payable });
  const statusOf = async (id: string) =>
    (await db.kysely.selectFrom('donations').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

  it('lists donations newest first for the owner', async () => {
    const first = await service.startDonation(form('4'), null);
    now += 1000;
    const second = await service.startDonation(form('6'), { sub: 'user-1', email: 'donor@example.test' });
    const listed = await service.listDonations(2, 0);
    expect(listed.map((d) => [d.id, d.amount, d.user_sub, d.email, d.created_at])).toEqual([
      [second.donationId, 600, 'user-1', 'donor@example.test', now],
      [first.donationId, 400, null, null, now - 1000],
    ]);
  });

  it('changes nothing for an event the state table refuses, and logs it', async () => {
    const { donationId } = await service.startDonation(form('8'), null);
    const paid = await db.transaction((tx) => apply(tx, event({ reference: donationId, amount: 800 })));
    expect(paid).toBe('paid');
    warnings.length = 0;
    for (const late of [
      event({ reference: donationId, type: 'checkout.expired', paymentStatus: 'unpaid' }),
      event({ reference: donationId, type: 'checkout.async_payment_failed', sessionStatus: 'expired', paymentStatus: 'unpaid' }),
    ]) {
      expect(await db.transaction((tx) => apply(tx, late))).toBe('not_applied:refused');
    }
    expect(await statusOf(donationId)).toBe('paid');
    expect(warnings.map((w) => [w.msg, (w.obj as { event: string }).event])).toEqual([
      ['donation event not applied', 'session_expired'],
      ['donation event not applied', 'payment_failed'],
    ]);
  });

  it('fails a donation whose closed session reports a failed payment, and logs the money that comes later', async () => {
    const { donationId } = await service.startDonation(form('9'), null);
    expect(
      await db.transaction((tx) =>
        apply(
          tx,
          event({ reference: donationId, type: 'checkout.async_payment_failed', sessionStatus: 'complete', paymentStatus: 'unpaid' }),
        ),
      ),
    ).toBe('failed');
    expect(await statusOf(donationId)).toBe('failed');
    warnings.length = 0;
    expect(await db.transaction((tx) => apply(tx, event({ reference: donationId, amount: 900 })))).toBe('paid');
    expect(await statusOf(donationId)).toBe('paid');
    expect(warnings.map((w) => w.msg)).toEqual(['late donation payment accepted: the donation is paid after all']);
  });
});
