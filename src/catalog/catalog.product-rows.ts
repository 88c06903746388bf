import type { Executor } from '../platform/db/db.js';
import { ConflictError, ValidationError } from '../platform/errors.js';
import { isUniqueViolation, type CatalogRepo, type NewProductRow } from './catalog.repo.js';
import type { CleanProduct, ProductInput } from './catalog.validation.js';

interface ProductRowsDeps {
  repo: CatalogRepo;
  clock: () => number;
  /** Validates a product against the shop's settings (image hosts). */
  validate: (input: ProductInput) => CleanProduct;
  /** Renders a description's Markdown to the HTML stored beside it. */
  describe: (markdown: string) => string;
}

/** How validated products become rows: their columns, their categories' ids, and many at once in bulk. */
export function createProductRows({ repo, clock, validate, describe }: ProductRowsDeps) {
  async function categoryIds(slugs: string[], tx: Executor): Promise<number[]> {
    const rows = await repo.findCategoryIds(slugs, tx);
    const missing = slugs.filter((s) => !rows.some((r) => r.slug === s));
    if (missing.length > 0)
      throw new ValidationError(`Unknown categories: ${missing.join(', ')}.`, { categories: missing }, 'unknown_category');
    return rows.map((r) => r.id);
  }

  /** A product's columns that an update may change (all but the SKU and creation time). */
  function changeableColumns(p: CleanProduct, updatedAt: number): Omit<NewProductRow, 'sku' | 'created_at'> {
    return {
      name: p.name,
      summary: p.summary,
      description: p.description,
      description_html: describe(p.description),
      price: p.price,
      currency: p.currency,
      type: p.type,
      status: p.status,
      featured: p.featured ? 1 : 0,
      specs: JSON.stringify(p.specs),
      download_limit: p.downloadLimit,
      access_days: p.accessDays,
      activation_limit: p.activationLimit,
      tax_category: p.taxCategory,
      updated_at: updatedAt,
    };
  }

  function productRow(p: CleanProduct, createdAt: number, updatedAt: number): NewProductRow {
    return { sku: p.sku, created_at: createdAt, ...changeableColumns(p, updatedAt) };
  }

  async function bulkInsert(inputs: ProductInput[], tx: Executor): Promise<Map<string, number>> {
    const now = clock();
    const clean = inputs.map((input) => ({ p: validate(input), createdAt: input.createdAt ?? now }));
    const slugs = [...new Set(clean.flatMap((c) => c.p.categories))];
    const bySlug = new Map((await repo.findCategoryIds(slugs, tx)).map((r) => [r.slug, r.id]));
    const missing = slugs.filter((s) => !bySlug.has(s));
    if (missing.length > 0)
      throw new ValidationError(`Unknown categories: ${missing.join(', ')}.`, { categories: missing }, 'unknown_category');
    let ids: Map<string, number>;
    try {
      ids = await repo.insertProductsBulk(
        clean.map((c) => productRow(c.p, c.createdAt, Math.max(c.createdAt, now))),
        tx,
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('duplicate_sku', 'Some of these SKUs already exist (SKUs ignore case).');
      throw err;
    }
    await repo.insertProductCategoriesBulk(
      clean.flatMap((c) => c.p.categories.map((s) => ({ product_id: ids.get(c.p.sku)!, category_id: bySlug.get(s)! }))),
      tx,
    );
    await repo.insertImagesBulk(
      clean.flatMap((c) => c.p.images.map((img, position) => ({ product_id: ids.get(c.p.sku)!, ...img, position }))),
      tx,
    );
    return ids;
  }

  return { categoryIds, changeableColumns, productRow, bulkInsert };
}
