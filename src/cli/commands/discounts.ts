import { EMPTY_DISCOUNT_FORM, formatAmounts, type DiscountForm } from '../../discounts/discount.input.js';
import { AppError } from '../../platform/errors.js';
import { stringOption, type Command } from '../command.js';
import { cliActor } from '../context.js';
import { when } from '../format.js';

const fieldOptions: Record<Exclude<keyof DiscountForm, 'code' | 'kind'>, string> = {
  percent: 'percent',
  amounts: 'amounts',
  products: 'products',
  categories: 'categories',
  minSubtotal: 'min-subtotal',
  startsAt: 'starts',
  endsAt: 'ends',
  maxUses: 'max-uses',
  maxUsesPerBuyer: 'per-buyer',
};

const createCommand: Command = {
  name: 'discounts create',
  summary: 'Add a discount code (a percentage or fixed amounts per currency)',
  usage:
    '<code> (--percent <n> | --amounts "EUR 5.00, USD 6.00") [--products <skus>] [--categories <slugs>] [--min-subtotal "EUR 30.00"] [--starts <date>] [--ends <date>] [--max-uses <n>] [--per-buyer <n>]',
  help: 'Dates are UTC (2026-12-24 or 2026-12-24T18:00). SKUs and slugs are comma-separated; with neither the code applies to every product.',
  args: { min: 1, max: 1 },
  options: Object.fromEntries(Object.values(fieldOptions).map((o) => [o, { type: 'string' as const }])),
  async run(ctx) {
    const form: DiscountForm = {
      ...EMPTY_DISCOUNT_FORM,
      code: ctx.positionals[0]!,
      kind: ctx.values.amounts !== undefined ? 'fixed' : 'percent',
    };
    for (const [field, option] of Object.entries(fieldOptions)) form[field as keyof DiscountForm] = stringOption(ctx.values[option]) ?? '';
    const { adminDiscounts, discounts } = await ctx.services();
    const r = await adminDiscounts.create(cliActor(), form);
    if (!r.ok) throw new AppError('invalid_discount', Object.values(r.errors).join(' '), r.status);
    const c = (await discounts.list()).find((d) => d.code === r.code);
    ctx.out.line(`Created ${r.code} (${c?.state ?? 'active'}).`);
  },
};

const listCommand: Command = {
  name: 'discounts list',
  summary: 'Discount codes with their uses, limits and state',
  usage: '[--json]',
  args: { min: 0, max: 0 },
  options: { json: { type: 'boolean' } },
  async run(ctx) {
    const rows = await (await ctx.services()).discounts.list();
    if (ctx.values.json) return ctx.out.json(rows);
    if (rows.length === 0) return ctx.out.line('No discount codes.');
    ctx.out.table(rows, [
      ['CODE', (d) => d.code],
      ['DISCOUNT', (d) => (d.kind === 'percent' ? `${(d.percentBp ?? 0) / 100} %` : formatAmounts(d.amounts))],
      ['USES', (d) => `${d.uses} / ${d.maxUses ?? '-'}`],
      ['STATE', (d) => d.state],
      ['FROM', (d) => (d.startsAt === null ? '-' : when(d.startsAt))],
      ['UNTIL', (d) => (d.endsAt === null ? '-' : when(d.endsAt))],
      ['LIMITS', (d) => [...d.skus, ...d.slugs.map((s) => `category:${s}`)].join(',') || 'any product'],
    ]);
  },
};

const disableCommand: Command = {
  name: 'discounts disable',
  summary: 'Disable a discount code (carts carrying it then say it is not valid)',
  usage: '<code>',
  args: { min: 1, max: 1 },
  async run(ctx) {
    const r = await (await ctx.services()).adminDiscounts.disable(cliActor(), ctx.positionals[0]!);
    ctx.out.line(r.changed ? `Disabled ${r.code}.` : `${r.code} was already disabled.`);
  },
};

export const discountsCommands: Command[] = [createCommand, listCommand, disableCommand];
