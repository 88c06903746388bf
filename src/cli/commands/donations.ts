import { donationRefundAudit } from '../../admin/admin-donations.service.js';
import { donationStates, type DonationState } from '../../donations/donation-state.js';
import { stringOption, UsageError, wholeNumber, type Command } from '../command.js';
import { cliActor } from '../context.js';
import { money, when } from '../format.js';

const listCommand: Command = {
  name: 'donations list',
  summary: 'Donations, newest first (needs_attention: paid with the wrong amount, to refund)',
  usage: '[--status <status>] [--limit <n>] [--json]',
  args: { min: 0, max: 0 },
  options: { status: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
  help: `
Options:
  --status   one of ${donationStates.join(', ')}
  --limit    at most this many donations (default 50, up to 1000)
  --json     print JSON instead of a table
Times are UTC.`,
  async run(ctx) {
    const status = stringOption(ctx.values.status);
    if (status !== undefined && !donationStates.includes(status as DonationState))
      throw new UsageError(`--status must be one of ${donationStates.join(', ')}.`);
    const limit = wholeNumber(ctx.values.limit, '--limit', { max: 1000 }) ?? 50;
    const { donations } = await ctx.services();
    const rows = await donations.listDonations(limit, 0, status as DonationState | undefined);
    if (ctx.values.json) return ctx.out.json(rows);
    if (rows.length === 0) return ctx.out.line('No donations.');
    ctx.out.table(rows, [
      ['DONATION', (d) => d.id],
      ['CREATED (UTC)', (d) => when(d.created_at)],
      ['STATUS', (d) => d.status],
      ['AMOUNT', (d) => money(d.amount, d.currency)],
      ['EMAIL', (d) => d.email ?? ''],
      ['ATTENTION', (d) => d.attention_reason ?? ''],
    ]);
  },
};

const refundCommand: Command = {
  name: 'donations refund',
  summary: 'Refund a paid donation, or one paid with the wrong amount (needs_attention)',
  usage: '<donation-id> [--reason <text>]',
  args: { min: 1, max: 1 },
  options: { reason: { type: 'string' } },
  help: `
The gateway pays back whatever it holds of the payment and the donation becomes refunded. If the
gateway refuses, nothing changes. Running it again after a failure never pays twice.
--reason is kept in the audit log (/admin/audit), as the admin's refund form keeps its reason.`,
  async run(ctx) {
    const { donations, audit } = await ctx.services();
    const id = ctx.positionals[0]!;
    const reason = stringOption(ctx.values.reason)?.trim() ?? '';
    // The same audit row as the admin's refund form, in the refund's transaction.
    const r = await donations.refundDonation(id, donationRefundAudit(audit, cliActor(), id, reason));
    ctx.out.line(
      `Refunded ${money(r.amount, r.donation.currency)} of donation ${r.donation.id}; it is now ${r.donation.status}. Gateway refund ${r.refundId}.`,
    );
  },
};

export const donationsCommands: Command[] = [listCommand, refundCommand];
