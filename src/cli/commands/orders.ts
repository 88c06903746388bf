import { formatInvoiceNumber, formatOrderNumber } from '../../orders/order-number.js';
import { orderStates, type OrderState } from '../../orders/order-state.js';
import { NotFoundError } from '../../platform/errors.js';
import { stringOption, UsageError, wholeNumber, type Command } from '../command.js';
import { cliActor } from '../context.js';
import { money, when } from '../format.js';

const listCommand: Command = {
  name: 'orders list',
  summary: 'List orders, newest first',
  usage: '[--status <status>] [--email <email>] [--limit <n>] [--json]',
  args: { min: 0, max: 0 },
  options: { status: { type: 'string' }, email: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
  help: `
Options:
  --status   one of ${orderStates.join(', ')}
  --email    the buyer's email (any case)
  --limit    at most this many orders (default 50, up to 1000)
  --json     print JSON instead of a table
Times are UTC.`,
  async run(ctx) {
    const status = stringOption(ctx.values.status);
    if (status !== undefined && !orderStates.includes(status as OrderState))
      throw new UsageError(`--status must be one of ${orderStates.join(', ')}.`);
    const email = stringOption(ctx.values.email)?.trim().toLowerCase();
    const limit = wholeNumber(ctx.values.limit, '--limit', { max: 1000 }) ?? 50;
    const { orders } = await ctx.services();
    const { total, orders: rows } = await orders.searchOrders(
      { ...(status ? { status } : {}), ...(email ? { emailLower: email } : {}) },
      limit,
      0,
    );
    if (ctx.values.json) return ctx.out.json(rows);
    ctx.out.table(rows, [
      ['ORDER', (o) => formatOrderNumber(o.order_number)],
      ['ID', (o) => o.id],
      ['CREATED (UTC)', (o) => when(o.created_at)],
      ['STATUS', (o) => o.status],
      ['TOTAL', (o) => money(o.total, o.currency)],
      ['EMAIL', (o) => o.email],
    ]);
    if (total > rows.length) ctx.out.line(`${rows.length} of ${total} orders; use --limit or narrow with --status / --email.`);
  },
};

const showCommand: Command = {
  name: 'orders show',
  summary: 'One order: items, deliveries, its events and payment events',
  usage: '<order-id> [--json]',
  args: { min: 1, max: 1 },
  options: { json: { type: 'boolean' } },
  help: 'Keys themselves are never shown: only which units have one and whether it is active. Times are UTC.',
  async run(ctx) {
    const id = ctx.positionals[0]!;
    const { orders, fulfilment, paymentEvents } = await ctx.services();
    const order = await orders.findOrder(id);
    if (!order) throw new NotFoundError(`There is no order ${id}.`, 'order_not_found');
    const items = await orders.findItems(id);
    const [deliveries, events, payments] = await Promise.all([
      fulfilment.findDeliveries(items.map((i) => i.id)),
      orders.findEvents(id),
      paymentEvents.findEventsOfOrder(id),
    ]);
    // Sealed keys and their lookup hashes stay in the database.
    const keys = deliveries.keys.map((k) => ({
      itemId: k.order_item_id,
      unit: k.unit_index,
      source: k.license_key_id === null ? 'signed' : 'pool',
      status: k.status,
      revealedAt: k.revealed_at,
    }));
    const grants = deliveries.grants.map((g) => ({
      itemId: g.order_item_id,
      unit: g.unit_index,
      downloadsUsed: g.downloads_used,
      downloadLimit: g.download_limit,
      expiresAt: g.expires_at,
      status: g.status,
    }));
    if (ctx.values.json) return ctx.out.json({ order, items, keys, grants, events, paymentEvents: payments });

    const skuOf = new Map(items.map((i) => [i.id, i.sku]));
    const out = ctx.out;
    out.line(`Order ${formatOrderNumber(order.order_number)} (${order.id}): ${order.status}`);
    out.line(`  buyer     ${order.email} (${order.user_sub})`);
    out.line(
      `  total     ${money(order.total, order.currency)} (subtotal ${money(order.subtotal, order.currency)}, tax ${money(order.tax, order.currency)})`,
    );
    out.line(`  created   ${when(order.created_at)} UTC, paid ${when(order.paid_at)}`);
    out.line(`  payment   ${order.payment_provider ?? '-'} ${order.payment_ref ?? '-'} ${order.payment_intent ?? ''}`.trimEnd());
    if (order.invoice_number !== null) out.line(`  invoice   ${formatInvoiceNumber(order.invoice_number, order.invoice_series)}`);
    if (order.attention_reason) out.line(`  attention ${order.attention_reason}`);
    out.line('\nItems');
    out.table(items, [
      ['SKU', (i) => i.sku],
      ['TYPE', (i) => i.type],
      ['UNIT PRICE', (i) => money(i.unit_price, order.currency)],
      ['QTY', (i) => i.quantity],
      ['REFUNDED', (i) => i.refunded_quantity],
      ['NAME', (i) => i.name],
    ]);
    if (keys.length > 0) {
      out.line('\nKeys');
      out.table(keys, [
        ['SKU', (k) => skuOf.get(k.itemId) ?? ''],
        ['UNIT', (k) => k.unit + 1],
        ['SOURCE', (k) => k.source],
        ['STATUS', (k) => k.status],
        ['REVEALED', (k) => when(k.revealedAt)],
      ]);
    }
    if (grants.length > 0) {
      out.line('\nDownloads');
      out.table(grants, [
        ['SKU', (g) => skuOf.get(g.itemId) ?? ''],
        ['UNIT', (g) => g.unit + 1],
        ['USED', (g) => `${g.downloadsUsed}/${g.downloadLimit}`],
        ['EXPIRES', (g) => when(g.expiresAt)],
        ['STATUS', (g) => g.status],
      ]);
    }
    out.line('\nEvents');
    out.table(events, [
      ['TIME', (e) => when(e.created_at)],
      ['EVENT', (e) => e.event],
      ['FROM', (e) => e.from_status],
      ['TO', (e) => e.to_status],
      ['DETAIL', (e) => e.detail],
    ]);
    out.line('\nPayment events');
    out.table(payments, [
      ['RECEIVED', (p) => when(p.received_at)],
      ['TYPE', (p) => p.type],
      ['OUTCOME', (p) => p.outcome],
      ['EVENT ID', (p) => p.event_id],
    ]);
  },
};

const refundCommand: Command = {
  name: 'orders refund',
  summary: 'Refund a paid order in full, or some units of one item',
  usage: '<order-id> [--item <sku> --units <n>] [--reason <text>]',
  args: { min: 1, max: 1 },
  options: { item: { type: 'string' }, units: { type: 'string' }, reason: { type: 'string' } },
  help: `
Without options everything not yet refunded is refunded. With --item and --units, that many
units of that item (the unit price with its share of tax). The gateway pays the money back;
the refunded units' keys and downloads are revoked (a pool key never returns to the pool) and
the order becomes partially_refunded or refunded, and the refund's credit note is issued. If the
gateway refuses, nothing changes (no credit note either).
Running the same refund again after a failure never pays twice (idempotency key).
--reason is kept in the order's event log, as the admin's refund form keeps its reason.`,
  async run(ctx) {
    const sku = stringOption(ctx.values.item);
    const units = wholeNumber(ctx.values.units, '--units', { max: 100_000 });
    if ((sku === undefined) !== (units === undefined)) throw new UsageError('--item and --units go together.');
    const { refunds, orders, audit } = await ctx.services();
    const reason = stringOption(ctx.values.reason)?.trim();
    const actor = cliActor();
    const r = await refunds.refundOrder(
      {
        orderId: ctx.positionals[0]!,
        ...(sku && units ? { item: { sku, units } } : {}),
        ...(reason ? { reason } : {}),
      },
      // The admin refund form's follow-up: out of attention (its reason no longer stands), and its audit row.
      async (tx, o) => {
        if (o.from === 'needs_attention') await orders.setAttentionReason(tx, o.orderId, null);
        const after = {
          status: o.status,
          refunded: o.units,
          amount: o.amount,
          currency: o.currency,
          reason: reason ?? '',
          refundId: o.refundId,
        };
        await audit.recordOwnerAction({ actor, action: 'order.refund', subject: o.orderId, before: { status: o.from }, after }, tx);
      },
    );
    const what = r.units.map((u) => `${u.units} × ${u.sku}`).join(', ');
    ctx.out.line(
      `Refunded ${money(r.amount, r.currency)} of order ${r.orderId} (${what}); the order is now ${r.status}.${r.refundId ? ` Gateway refund ${r.refundId}.` : ''} Credit note ${r.creditNote.number}.`,
    );
  },
};

export const ordersCommands: Command[] = [listCommand, showCommand, refundCommand];
