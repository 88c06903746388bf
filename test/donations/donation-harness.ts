import Stripe from 'stripe';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Dialect } from '../../src/platform/db/db.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { startTestIdp, TestBrowser, type TestIdp } from '../support/auth.js';
import {
  forwardWebhooksTo,
  gatewayEnv,
  startTestGateway,
  startWebhookReceiver,
  TEST_WEBHOOK_SECRET,
  type DevGateway,
} from '../support/gateway.js';

type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

/**
 * The store on a fresh database with the dev IdP and the dev gateway, whose webhooks reach the
 * store through a real HTTP receiver; registers its own beforeAll/afterAll. The helpers act as a
 * donor's browser would and read what the store recorded.
 */
export function useDonationStore(dialect: Dialect) {
  const s = {} as { idp: TestIdp; gateway: DevGateway; receiver: Receiver; t: TestApp };
  beforeAll(async () => {
    s.idp = await startTestIdp();
    s.gateway = await startTestGateway();
    s.t = await createTestApp(dialect, { ...s.idp.env, ...gatewayEnv(s.gateway) });
    s.receiver = await startWebhookReceiver(forwardWebhooksTo(s.t.app));
    s.gateway.setWebhookUrl(s.receiver.url);
  });
  afterAll(async () => {
    await s.t.close();
    await s.receiver.close();
    await s.gateway.close();
    await s.idp.close();
  });

  const donationOf = (id: string) => s.t.db.kysely.selectFrom('donations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  return {
    get t() {
      return s.t;
    },
    get gateway() {
      return s.gateway;
    },
    get receiver() {
      return s.receiver;
    },

    /** Opens /donate and posts it as a browser would; returns the answer to the POST. */
    async donate(browser: TestBrowser, fields: Record<string, string>) {
      const page = await browser.request('/donate');
      expect(page.status).toBe(200);
      return browser.request('/donate', {
        form: { amount_choice: '', amount: '', message: '', email: '', ...fields },
      });
    },

    /** A donation posted and sent to the gateway's page; returns its row and payment session. */
    async started(fields: Record<string, string> = { amount_choice: '10.00' }, browser = new TestBrowser(s.t.app)) {
      const posted = await this.donate(browser, fields);
      expect(posted.status).toBe(303);
      expect(posted.location).toMatch(new RegExp(`^${s.gateway.url}/pay/cs_`));
      const sessionId = new URL(posted.location!).pathname.split('/').pop()!;
      const donation = await s.t.db.kysely
        .selectFrom('donations')
        .selectAll()
        .where('payment_ref', '=', sessionId)
        .executeTakeFirstOrThrow();
      return { browser, sessionId, donation };
    },

    donationOf,
    mailsTo: (recipient: string) => s.t.db.kysely.selectFrom('mail_outbox').selectAll().where('recipient', '=', recipient).execute(),

    /** `type outcome` of each webhook recorded for a donation (sessions and charges carry its id). */
    async outcomesOf(donationId: string) {
      const events = await s.t.db.kysely.selectFrom('payment_events').select(['type', 'outcome', 'payload']).orderBy('id').execute();
      return events.filter((e) => e.payload.includes(donationId)).map((e) => `${e.type} ${e.outcome}`);
    },

    /**
     * The outcomes of the gateway's `charge.refunded` events for a donation the owner refunded. Each
     * changes nothing: it finds the donation refunded, or, arriving while the owner's transaction
     * still held the row, loses the race to it (UNCHANGED_BY_REFUND_EVENT).
     */
    async refundEventsOf(donationId: string) {
      return (await this.outcomesOf(donationId)).filter((o) => o.startsWith('charge.refunded '));
    },

    async waitForStatus(id: string, status: string) {
      for (let i = 0; i < 200; i++) {
        if ((await donationOf(id)).status === status) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`donation ${id} never became ${status} (is ${(await donationOf(id)).status})`);
    },

    /** A webhook the gateway could have sent: signed with the shared secret, delivered to the store. */
    async signedEvent(type: string, object: Record<string, unknown>) {
      const body = JSON.stringify({
        id: `evt_${type}_${Math.random().toString(36).slice(2)}`,
        object: 'event',
        type,
        created: Math.floor(Date.now() / 1000),
        data: { object },
      });
      const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: TEST_WEBHOOK_SECRET });
      const res = await s.t.app.inject({
        method: 'POST',
        url: '/api/payment-callback',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        payload: body,
      });
      expect(res.statusCode).toBe(200);
      return res.json() as { received: boolean; outcome: string };
    },

    /** A completed checkout session for a donation, as Stripe sends it. */
    completedSession: (donationId: string, sessionId: string, amount: number, currency = 'eur') => ({
      id: sessionId,
      object: 'checkout.session',
      client_reference_id: donationId,
      metadata: { reference: donationId, kind: 'donation' },
      status: 'complete',
      payment_status: 'paid',
      amount_total: amount,
      currency,
      payment_intent: `pi_late_${donationId.slice(-10)}`,
    }),
  };
}

/** What an owner's refund leaves the gateway's own refund event to do: nothing, whichever came first. */
export const UNCHANGED_BY_REFUND_EVENT = ['charge.refunded refund_already_applied', 'charge.refunded not_applied:raced'];
