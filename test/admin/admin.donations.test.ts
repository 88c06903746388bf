import { describe, expect, it } from 'vitest';
import { loginAs, type LoggedIn, SAME_ORIGIN_POST } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { driveSession } from '../support/gateway.js';
import { UNCHANGED_BY_REFUND_EVENT, useDonationStore } from '../donations/donation-harness.js';
import { rowText } from './admin-fixtures.js';

/** /admin/donations: the list by state, needs-attention highlighted, and the refund the CLI makes, with a reason and an audit row. */
describe.each(testDialects)('admin donations on %s', (dialect) => {
  const s = useDonationStore(dialect);
  let owner: LoggedIn | undefined;
  const asOwner = async () => (owner ??= await loginAs(s.t.app, 'owner'));

  const get = async (url: string) => s.t.app.inject({ method: 'GET', url, headers: { cookie: (await asOwner()).cookie } });
  const refund = async (id: string, reason: string) =>
    s.t.app.inject({
      method: 'POST',
      url: `/admin/donations/${id}/refund`,
      payload: new URLSearchParams({ reason }).toString(),
      headers: { ...SAME_ORIGIN_POST, 'content-type': 'application/x-www-form-urlencoded', cookie: (await asOwner()).cookie },
    });
  const audits = (id: string) => s.t.db.kysely.selectFrom('owner_audit').selectAll().where('subject', '=', id).execute();

  /** A donation paid as asked (or, with `chargedFor`, one the gateway charged another amount for: needs_attention). */
  async function paidDonation(email: string, chargedFor?: number) {
    const { sessionId, donation } = await s.started({ amount_choice: '10.00', email });
    if (chargedFor) await s.t.db.kysely.updateTable('donations').set({ amount: chargedFor }).where('id', '=', donation.id).execute();
    await driveSession(s.gateway, sessionId, 'pay');
    await s.waitForStatus(donation.id, chargedFor ? 'needs_attention' : 'paid');
    return donation.id;
  }

  it('lists donations newest first with state, amount and donor; a wrong-amount one is highlighted with its reason; filters by state', async () => {
    const paid = await paidDonation('giver@example.test');
    const odd = await paidDonation('odd@example.test', 2000);
    const res = await get('/admin/donations');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(rowText(res.body, 'data-donation-id', paid)).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d UTC giver@example\.test €10\.00 Paid Reason Refund$/,
    );
    expect(res.body).toMatch(new RegExp(`<tr data-donation-id="${odd}" class="attention">`));
    expect(rowText(res.body, 'data-donation-id', odd)).toContain('Needs attention Paid 1000 EUR for a donation of 2000 EUR: refund it.');
    const filtered = await get('/admin/donations?status=needs_attention');
    expect(filtered.body).toContain(odd);
    expect(filtered.body).not.toContain(paid);
    const bad = await get('/admin/donations?status=lost');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is no donation status &quot;lost&quot;.');
    expect((await get('/admin/donations?page=9')).statusCode).toBe(404);
  });

  it('refunds a wrong-amount donation with a reason: the gateway pays back, the donation is refunded, the audit log keeps the reason', async () => {
    const id = await paidDonation('mismatch@example.test', 3000);
    const empty = await refund(id, '   ');
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain(`id="refund-reason-${id}-error">Please say why you refund it (kept in the audit log).<`);
    expect((await s.donationOf(id)).status).toBe('needs_attention');

    const res = await refund(id, 'Charged the wrong amount');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/admin/donations?refunded=${id}`);
    expect((await s.donationOf(id)).status).toBe('refunded');
    const page = await get(res.headers.location!);
    expect(page.body).toContain(`Donation ${id} (€30.00 from mismatch@example.test) is refunded.`);
    const [entry] = await audits(id);
    expect(entry).toMatchObject({ action: 'donation.refund', actor_email: (await asOwner()).user.email });
    expect(JSON.parse(entry!.after!)).toMatchObject({ status: 'refunded', refunded: 1000, reason: 'Charged the wrong amount' });
    expect(JSON.parse(entry!.before!)).toEqual({ status: 'needs_attention', amount: 3000, currency: 'EUR' });

    // Twice: refused with the CLI's message, nothing recorded again.
    const again = await refund(id, 'Once more');
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain(`Donation ${id} is already refunded.`);
    expect(await audits(id)).toHaveLength(1);
  });

  it('refunds once when the owner clicks twice at once', async () => {
    const id = await paidDonation('twice@example.test');
    const answers = await Promise.all([refund(id, 'Asked for it back'), refund(id, 'Asked for it back')]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([303, 409]);
    expect((await s.donationOf(id)).status).toBe('refunded');
    expect(await audits(id)).toHaveLength(1);
    // The gateway refunded once: one refund event, which changes nothing (see refundEventsOf).
    await expect.poll(() => s.refundEventsOf(id), { timeout: 15_000 }).toHaveLength(1);
    expect(UNCHANGED_BY_REFUND_EVENT).toContain((await s.refundEventsOf(id))[0]);
  });

  it('refuses an unpaid donation and answers 404 for an unknown one', async () => {
    const { donation } = await s.started({ amount_choice: '5.00' });
    const res = await refund(donation.id, 'Not paid yet');
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('only paid donations can be refunded');
    expect((await refund('don_000000000000000000000000', 'x')).statusCode).toBe(404);
    expect((await refund('nonsense', 'x')).statusCode).toBe(404);
    expect((await refund('don_000000000000000000000000', '')).statusCode).toBe(404);
    expect(await audits(donation.id)).toHaveLength(0);
  });
});
