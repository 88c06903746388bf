import type { Database, Executor, Tx } from '../platform/db/db.js';
import { ConflictError, NotFoundError, ValidationError } from '../platform/errors.js';
import type { CatalogCaches } from './catalog.service.js';
import { isUniqueViolation } from './catalog.repo.js';
import { createCategoriesRepo, type CategoryRecord } from './categories.repo.js';

export type { CategoryRecord } from './categories.repo.js';

/** What a category form may get wrong, field by field. */
export type CategoryFieldErrors = Partial<Record<'name' | 'slug', string>>;

export interface CategoriesDeps {
  db: Database;
  clock?: () => number;
  /** The catalog's caches: cleared around every write, as product writes clear them. */
  caches?: Pick<CatalogCaches, 'changed'>;
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const SLUG_MAX = 100;
const NAME_MAX = 100;

/** A slug's problem, or null: lower-case letters and digits joined by single dashes, at most 100. */
export function slugProblem(slug: string): string | null {
  if (slug === '') return 'Please give the category a slug (it is the end of its address, /category/<slug>).';
  if (slug.length > SLUG_MAX) return `A slug has at most ${SLUG_MAX} characters.`;
  if (!SLUG.test(slug)) return 'Use lower-case letters (a–z), digits and single dashes between them, e.g. "audio-tools".';
  return null;
}

function nameProblem(name: string): string | null {
  if (name === '') return 'Please give the category a name.';
  if (name.length > NAME_MAX) return `A name has at most ${NAME_MAX} characters.`;
  return null;
}

const invalid = (fields: CategoryFieldErrors) =>
  new ValidationError('Please correct the highlighted fields.', { fields }, 'invalid_category');
const notFound = () => new NotFoundError('There is no such category.', 'category_not_found');

/**
 * The owner's categories (the admin's and the CLI's door): create, rename, change the slug (the old
 * one redirects: category_redirects points each former slug at the category, so chains collapse),
 * reorder and delete an empty one. A slug another category used to have is free to take: the live
 * category wins and the redirect goes. Every write clears the catalog caches before and after its
 * transaction; another instance sees it within the catalog cache's time.
 */
export function createCategoriesService({ db, clock = Date.now, caches = { changed() {} } }: CategoriesDeps) {
  const repo = createCategoriesRepo(db);
  const read = async (id: number, tx?: Executor) => {
    const c = Number.isSafeInteger(id) ? await repo.findById(id, tx) : undefined;
    if (!c) throw notFound();
    return c;
  };
  /** Refuses a slug already some category's own (a former slug is freed instead). */
  async function takeSlug(slug: string, tx: Executor) {
    const holder = await repo.findBySlug(slug, tx);
    if (holder)
      throw new ConflictError('duplicate_category', `The category “${holder.name}” already has the slug ${slug}.`, {
        fields: { slug: `“${holder.name}” already has this slug.` },
      });
    await repo.deleteRedirect(slug, tx);
  }

  return {
    /** Runs writes in one transaction (theirs and the caller's audit row) and clears the catalog caches around it. */
    async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      caches.changed();
      try {
        return await db.transaction(fn);
      } catch (err) {
        // Two owners taking one slug at once: the unique index refuses the second.
        if (isUniqueViolation(err))
          throw new ConflictError('duplicate_category', 'Another category took this slug a moment ago.', {
            fields: { slug: 'Another category took this slug a moment ago.' },
          });
        throw err;
      } finally {
        caches.changed();
      }
    },

    /** Every category in display order with its product count (products in any status). */
    list: () => repo.findWithCounts(),

    /** The id of the category whose current slug this is (any case); `category_not_found` (404) otherwise. */
    async idOfSlug(slug: string): Promise<number> {
      const c = await repo.findBySlug(slug.trim().toLowerCase());
      if (!c) throw new NotFoundError(`There is no category ${slug.slice(0, 100)}.`, 'category_not_found');
      return c.id;
    },

    /** One category with its product count and former slugs; `category_not_found` (404) otherwise. */
    async get(id: number) {
      const category = await read(id);
      const [products, redirects] = await Promise.all([repo.countProducts(id), repo.findRedirectsOf(id)]);
      return { ...category, products, formerSlugs: redirects.map((r) => r.old_slug) };
    },

    /** Adds a category at the end of the order; field errors (`invalid_category`, `duplicate_category`) name the field. */
    async create(input: { name: string; slug: string }, tx: Executor): Promise<CategoryRecord> {
      const name = input.name.trim();
      const slug = input.slug.trim().toLowerCase();
      const fields: CategoryFieldErrors = {};
      const np = nameProblem(name);
      const sp = slugProblem(slug);
      if (np) fields.name = np;
      if (sp) fields.slug = sp;
      if (np || sp) throw invalid(fields);
      await takeSlug(slug, tx);
      const row = { slug, name, description: '', position: (await repo.findLastPosition(tx)) + 1 };
      return { id: await repo.insert(row, tx), ...row };
    },

    /** Renames a category; returns it before and after. */
    async rename(id: number, rawName: string, tx: Executor) {
      const name = rawName.trim();
      const np = nameProblem(name);
      if (np) throw invalid({ name: np });
      const before = await read(id, tx);
      await repo.update(id, { name }, tx);
      return { before, after: { ...before, name } };
    },

    /** Gives a category a new slug; the old one keeps answering with a 301 to it. */
    async changeSlug(id: number, rawSlug: string, tx: Executor) {
      const slug = rawSlug.trim().toLowerCase();
      const sp = slugProblem(slug);
      if (sp) throw invalid({ slug: sp });
      const before = await read(id, tx);
      if (before.slug === slug) return { before, after: before };
      await takeSlug(slug, tx);
      await repo.update(id, { slug }, tx);
      await repo.upsertRedirect(before.slug, id, clock(), tx);
      return { before, after: { ...before, slug } };
    },

    /**
     * Moves a category one place up or down in the header's order: positions are renumbered 1…n in
     * the current order first, so categories that shared a position (an import's) move predictably.
     * Returns its place before and after (1-based); at either end nothing changes.
     */
    async move(id: number, direction: 'up' | 'down', tx: Executor) {
      const ordered = await repo.findOrdered(tx);
      const from = ordered.findIndex((c) => c.id === id);
      if (from < 0) throw notFound();
      const to = direction === 'up' ? from - 1 : from + 1;
      if (to < 0 || to >= ordered.length) return { category: ordered[from]!, from: from + 1, to: from + 1 };
      const next = [...ordered];
      [next[from], next[to]] = [next[to]!, next[from]!];
      for (const [i, c] of next.entries()) if (c.position !== i + 1) await repo.update(c.id, { position: i + 1 }, tx);
      return { category: ordered[from]!, from: from + 1, to: to + 1 };
    },

    /** Deletes an empty category (its redirects go with it); `category_not_empty` (409) says how many products it holds. */
    async delete(id: number, tx: Executor): Promise<CategoryRecord> {
      const category = await read(id, tx);
      const n = await repo.countProducts(id, tx);
      if (n > 0)
        throw new ConflictError(
          'category_not_empty',
          `“${category.name}” still holds ${n === 1 ? '1 product' : `${n} products`}: take ${n === 1 ? 'it' : 'them'} out of the category first (any status counts, archived too).`,
          { products: n },
        );
      await repo.delete(id, tx);
      return category;
    },

    /** Each product's category ids (none: an empty list), for rules that look at categories. */
    async categoryIdsOfProducts(productIds: number[], tx?: Executor): Promise<Map<number, number[]>> {
      const out = new Map<number, number[]>(productIds.map((id) => [id, []]));
      for (const r of await repo.findCategoryIdsOfProducts([...new Set(productIds)], tx)) out.get(r.product_id)?.push(r.category_id);
      return out;
    },
  };
}

export type CategoriesService = ReturnType<typeof createCategoriesService>;
