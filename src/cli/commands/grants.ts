import { normaliseSku } from '../../catalog/sku.js';
import type { GrantAdjustment } from '../../fulfilment/fulfilment.service.js';
import { AppError, NotFoundError } from '../../platform/errors.js';
import { stringOption, UsageError, wholeNumber, type Command, type CommandContext } from '../command.js';
import { cliActor } from '../context.js';
import { when } from '../format.js';

/** The order's file items (optionally one, by SKU) and what the owner's change did to their grants. */
async function adjust(ctx: CommandContext, change: { type: 'reset' } | { type: 'extend'; days: number }) {
  const orderId = ctx.positionals[0]!;
  const { orders, fulfilment } = await ctx.services();
  if (!(await orders.findOrder(orderId))) throw new NotFoundError(`There is no order ${orderId}.`, 'order_not_found');
  const wanted = stringOption(ctx.values.item);
  const items = (await orders.findItems(orderId)).filter(
    (i) => i.type === 'file' && (wanted === undefined || i.sku === normaliseSku(wanted)),
  );
  if (items.length === 0)
    throw new AppError(
      'no_downloads',
      wanted ? `Order ${orderId} has no file item ${normaliseSku(wanted)}.` : `Order ${orderId} has no file items.`,
    );
  const { audit } = await ctx.services();
  const actor = cliActor();
  const skuOf = new Map(items.map((i) => [i.id, i.sku]));
  const shown = (g: GrantAdjustment) =>
    change.type === 'reset'
      ? { sku: skuOf.get(g.itemId), unit: g.unit + 1, downloadsUsed: g.downloadsUsed }
      : { sku: skuOf.get(g.itemId), unit: g.unit + 1, accessUntil: when(g.expiresAt) };
  // The admin downloads form's audit row, in the change's transaction; a change that changed nothing records nothing.
  const results = await fulfilment.adjustGrants(
    items.map((i) => i.id),
    change,
    async (tx, after, before) => {
      const changed = after.map((g, n) => [before[n]!, g] as const).filter(([, g]) => g.outcome === 'changed');
      if (changed.length === 0) return;
      const was = changed.map(([b]) => shown(b));
      const now = changed.map(([, a]) => shown(a));
      const entry =
        change.type === 'reset'
          ? { action: 'order.downloads.reset', before: was, after: now }
          : { action: 'order.downloads.extend', before: was, after: { days: change.days, grants: now } };
      await audit.recordOwnerAction({ actor, subject: orderId, ...entry }, tx);
    },
  );
  if (results.length === 0) throw new AppError('no_downloads', `Order ${orderId} has no downloads yet (it was not paid).`);
  ctx.out.table(results, [
    ['SKU', (r: GrantAdjustment) => skuOf.get(r.itemId) ?? ''],
    ['UNIT', (r) => r.unit + 1],
    ['RESULT', (r) => (r.outcome === 'changed' ? 'changed' : `unchanged (${r.outcome})`)],
    ['USED', (r) => `${r.downloadsUsed}/${r.downloadLimit}`],
    ['EXPIRES (UTC)', (r) => when(r.expiresAt)],
  ]);
  const changed = results.filter((r) => r.outcome === 'changed').length;
  ctx.out.line(
    `${changed} of ${results.length} download grant${results.length === 1 ? '' : 's'} changed${changed < results.length ? '; refunded (revoked) grants stay revoked' : ''}.`,
  );
}

const resetCommand: Command = {
  name: 'grants reset',
  summary: "Reset an order's downloads to zero used",
  usage: '<order-id> [--item <sku>]',
  args: { min: 1, max: 1 },
  options: { item: { type: 'string' } },
  help: 'Every file item of the order, or only --item. Refunded units keep their revoked downloads.',
  run: (ctx) => adjust(ctx, { type: 'reset' }),
};

const extendCommand: Command = {
  name: 'grants extend',
  summary: "Extend an order's download access by some days",
  usage: '<order-id> --days <n> [--item <sku>]',
  args: { min: 1, max: 1 },
  options: { days: { type: 'string' }, item: { type: 'string' } },
  help: "Adds --days to each grant's expiry, or to now when it has already expired. Refunded units stay revoked.",
  async run(ctx) {
    const days = wholeNumber(ctx.values.days, '--days', { max: 3650 });
    if (days === undefined) throw new UsageError('--days is required.');
    await adjust(ctx, { type: 'extend', days });
  },
};

export const grantsCommands: Command[] = [resetCommand, extendCommand];
