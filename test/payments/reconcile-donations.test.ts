import { describe, expect, it } from 'vitest';
import { testDialects } from '../support/database.js';
import { driveSession } from '../support/gateway.js';
import { useDonationStore } from '../donations/donation-harness.js';

// Donations share the payable lifecycle: with every webhook lost, the reconciler is what marks a
// paid one paid (and queues its receipt) and ends one whose session expired unpaid.
describe.each(testDialects)('donations reconciled without webhooks, on %s', (dialect) => {
  const s = useDonationStore(dialect);

  it('settles a donation paid on the gateway page once, expires an abandoned one, and a later webhook is a no-op', async () => {
    s.gateway.setWebhookUrl(null);
    const email = `lost-hooks-${Date.now()}@example.test`;
    const paid = await s.started({ amount_choice: '25.00', email });
    const abandoned = await s.started({ amount_choice: '10.00' });
    const open = await s.started({ amount_choice: '10.00' });
    await driveSession(s.gateway, paid.sessionId, 'pay', { via: 'page' });
    s.gateway.expire(abandoned.sessionId);

    const report = await s.t.app.jobs.reconcilePayments();
    expect(report.settled).toEqual([paid.donation.id]);
    expect(report.expired).toEqual([abandoned.donation.id]);
    expect((await s.donationOf(paid.donation.id)).status).toBe('paid');
    expect((await s.donationOf(abandoned.donation.id)).status).toBe('expired');
    expect((await s.donationOf(open.donation.id)).status).toBe('pending');
    expect(await s.mailsTo(email)).toHaveLength(1);

    expect(await s.t.app.jobs.reconcilePayments()).toMatchObject({ settled: [], expired: [] });
    s.gateway.setWebhookUrl(s.receiver.url);
    const completed = s.gateway
      .events()
      .find((r) => r.event.type === 'checkout.session.completed' && JSON.stringify(r.event.data).includes(paid.sessionId))!;
    const before = s.receiver.received.length;
    s.gateway.resend(completed.event.id);
    await s.receiver.waitFor(before + 1);
    expect(await s.outcomesOf(paid.donation.id)).toEqual(['checkout.session.completed not_applied:refused']);
    expect((await s.donationOf(paid.donation.id)).status).toBe('paid');
    expect(await s.mailsTo(email)).toHaveLength(1);
  });
});
