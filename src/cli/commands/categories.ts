import type { CategoryResult } from '../../admin/admin-categories.service.js';
import { AppError } from '../../platform/errors.js';
import { UsageError, type Command } from '../command.js';
import { cliActor } from '../context.js';

/** A field refusal of the categories service (bad or taken slug, empty name) as the CLI's one line. */
async function change(run: () => Promise<CategoryResult>): Promise<void> {
  const r = await run();
  if (!r.ok) throw new AppError('invalid_category', Object.values(r.errors).join(' '), r.status);
}

const listCommand: Command = {
  name: 'categories list',
  summary: 'Categories in the header’s order, with product counts',
  usage: '[--json]',
  args: { min: 0, max: 0 },
  options: { json: { type: 'boolean' } },
  async run(ctx) {
    const rows = await (await ctx.services()).categories.list();
    if (ctx.values.json) return ctx.out.json(rows);
    if (rows.length === 0) return ctx.out.line('No categories.');
    ctx.out.table(rows, [
      ['SLUG', (c) => c.slug],
      ['NAME', (c) => c.name],
      ['PRODUCTS', (c) => String(c.products)],
    ]);
  },
};

const renameCommand: Command = {
  name: 'categories rename',
  summary: 'Give a category a new name (its address stays)',
  usage: '<slug> <name>',
  args: { min: 2, max: 2 },
  async run(ctx) {
    const { categories, adminCategories } = await ctx.services();
    const [slug, name] = ctx.positionals as [string, string];
    const id = await categories.idOfSlug(slug);
    await change(() => adminCategories.rename(cliActor(), id, name));
    ctx.out.line(`Renamed ${slug} to “${name.trim()}”.`);
  },
};

const slugCommand: Command = {
  name: 'categories set-slug',
  summary: 'Give a category a new slug; its old address redirects to the new one',
  usage: '<slug> <new-slug>',
  args: { min: 2, max: 2 },
  async run(ctx) {
    const { categories, adminCategories } = await ctx.services();
    const [slug, next] = ctx.positionals as [string, string];
    const id = await categories.idOfSlug(slug);
    await change(() => adminCategories.changeSlug(cliActor(), id, next));
    ctx.out.line(`/category/${slug} now redirects to /category/${next.trim().toLowerCase()}.`);
  },
};

const moveCommand: Command = {
  name: 'categories move',
  summary: 'Move a category one place up or down in the header',
  usage: '<slug> up|down',
  args: { min: 2, max: 2 },
  async run(ctx) {
    const [slug, direction] = ctx.positionals as [string, string];
    if (direction !== 'up' && direction !== 'down') throw new UsageError('Say up or down.');
    const { categories, adminCategories } = await ctx.services();
    const id = await categories.idOfSlug(slug);
    const { from, to } = await adminCategories.move(cliActor(), id, direction);
    ctx.out.line(
      from === to ? `${slug} is already ${direction === 'up' ? 'first' : 'last'}.` : `Moved ${slug} from place ${from} to ${to}.`,
    );
  },
};

const deleteCommand: Command = {
  name: 'categories delete',
  summary: 'Delete an empty category',
  usage: '<slug>',
  args: { min: 1, max: 1 },
  async run(ctx) {
    const { categories, adminCategories } = await ctx.services();
    const slug = ctx.positionals[0]!;
    const id = await categories.idOfSlug(slug);
    await adminCategories.delete(cliActor(), id);
    ctx.out.line(`Deleted category ${slug}.`);
  },
};

export const categoriesCommands: Command[] = [listCommand, renameCommand, slugCommand, moveCommand, deleteCommand];
