import { AppError } from '../../platform/errors.js';
import { bpToPercent, dayOf } from '../../tax/tax.rules.js';
import { wholeNumber, stringOption, type Command } from '../command.js';
import { cliActor } from '../context.js';

/** A field refusal of the tax service (bad country, percent, day, a second row from one day) as the CLI's one line. */
async function change<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const fields = err instanceof AppError ? (err.details?.fields as Record<string, string> | undefined) : undefined;
    if (fields && err instanceof AppError) throw new AppError(err.code, Object.values(fields).join(' '), err.status);
    throw err;
  }
}

const listCommand: Command = {
  name: 'tax-rates list',
  summary: 'The tax rates by country and category, the one in force marked',
  usage: '[--json]',
  args: { min: 0, max: 0 },
  options: { json: { type: 'boolean' } },
  async run(ctx) {
    const { tax } = await ctx.services();
    const rows = (await tax.list(ctx.clock())).flatMap((c) =>
      c.categories.flatMap((k) =>
        k.rows.map((r) => ({
          id: r.id,
          country: c.country,
          category: k.category,
          percent: r.percent,
          from: r.from,
          state: r.state,
          note: r.note,
        })),
      ),
    );
    if (ctx.values.json) return ctx.out.json(rows);
    if (!tax.enabled) ctx.out.line('Tax is off (no SELLER_COUNTRY): these rates apply once it is set.');
    if (rows.length === 0) return ctx.out.line('No tax rates.');
    ctx.out.table(rows, [
      ['ID', (r) => r.id],
      ['COUNTRY', (r) => r.country],
      ['CATEGORY', (r) => r.category],
      ['RATE', (r) => `${r.percent} %`],
      ['FROM', (r) => r.from],
      ['', (r) => (r.state === 'past' ? '' : r.state)],
      ['NOTE', (r) => r.note],
    ]);
  },
};

const setCommand: Command = {
  name: 'tax-rates set',
  summary: 'Set a country’s tax rate from a day on (a new row; earlier days keep theirs)',
  usage: '<country> <percent> [--category standard] [--from YYYY-MM-DD] [--note text]',
  help: [
    'The rate holds for the country and tax category from the day (today when not given) until a later row.',
    'Examples: tax-rates set DE 19 · tax-rates set FR 5.5 --category ebook --from 2027-01-01 --note "Reduced rate"',
  ].join('\n'),
  args: { min: 2, max: 2 },
  options: { category: { type: 'string' }, from: { type: 'string' }, note: { type: 'string' } },
  async run(ctx) {
    const { tax } = await ctx.services();
    const [country, percent] = ctx.positionals as [string, string];
    const input = {
      country,
      percent,
      category: stringOption(ctx.values.category),
      from: stringOption(ctx.values.from),
      note: stringOption(ctx.values.note),
    };
    const row = await change(() => tax.addRate(input, cliActor()));
    ctx.out.line(`${row.country} ${row.category}: ${bpToPercent(row.rateBp)} % from ${dayOf(row.validFrom)} (row ${row.id}).`);
  },
};

const removeCommand: Command = {
  name: 'tax-rates remove',
  summary: 'Remove a row of the tax rates (the earlier one holds again)',
  usage: '<id>',
  args: { min: 1, max: 1 },
  async run(ctx) {
    const { tax } = await ctx.services();
    const row = await tax.removeRate(wholeNumber(ctx.positionals[0], 'The id')!, cliActor());
    ctx.out.line(`Removed row ${row.id}: ${row.country} ${row.category} ${bpToPercent(row.rateBp)} % from ${dayOf(row.validFrom)}.`);
  },
};

export const taxRatesCommands: Command[] = [listCommand, setCommand, removeCommand];
