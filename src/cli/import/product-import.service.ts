import type { CatalogService } from '../../catalog/catalog.service.js';
import type { CategoryInput, ProductInput } from '../../catalog/catalog.validation.js';
import { normaliseSku } from '../../catalog/sku.js';
import type { Executor } from '../../platform/db/db.js';
import { AppError } from '../../platform/errors.js';
import type { Progress } from '../output.js';
import { placeOf, type ImportFile, type Problem } from './import-file.js';
import { checkCategoryEntry, checkProductEntry, type ExistingProduct, type ProductPatch } from './product-rows.js';

/** SKUs per catalog lookup and products per multi-row insert batch (the repo chunks SQL further). */
const LOOKUP_CHUNK = 5000;
const INSERT_BATCH = 5000;

/** An import refused before anything was written; `details.problems` lists every problem found. */
export class ImportRefused extends AppError {
  constructor(message: string, problems: string[]) {
    super('import_refused', message, 400, { problems });
  }
}

export interface ImportSummary {
  categoriesCreated: number;
  categoriesUpdated: number;
  productsCreated: number;
  productsUpdated: number;
}

export interface ProductImportOptions {
  update: boolean;
  now: number;
  progress: (label: string, total: number) => Progress;
  /** IMAGE_HOSTS: an https:// image elsewhere is refused with the product's place in the file. */
  imageHosts?: readonly string[];
  /** The tax categories the shop knows (rates table, products): another one is refused, as a typo would be charged the standard rate. */
  taxCategories?: readonly string[];
  /** Runs in the import's transaction once everything is written: the owner audit row commits with the catalog or not at all. */
  record?: (tx: Executor, done: ImportSummary & { skus: { created: string[]; updated: string[] } }) => Promise<void>;
}

/** Problems sorted by their place in the file, as the refusal the owner sees. */
export function refuse(problems: Problem[], what = 'Nothing was imported'): never {
  const sorted = [...problems].sort((a, b) => a.order - b.order).map((p) => p.text);
  throw new ImportRefused(`${what}: ${sorted.length} problem${sorted.length === 1 ? '' : 's'} in the file.`, sorted);
}

async function findExisting(catalog: CatalogService, skus: string[]): Promise<Map<string, ExistingProduct>> {
  const found = new Map<string, ExistingProduct>();
  for (let i = 0; i < skus.length; i += LOOKUP_CHUNK) {
    for (const p of await catalog.findCartProducts({ skus: skus.slice(i, i + LOOKUP_CHUNK) })) found.set(p.sku, p);
  }
  return found;
}

/**
 * Checks every category and product of the file against the catalog and reports all problems at
 * once, then writes everything in one transaction: new products in multi-row batches, updates one
 * by one. A refused or failed import leaves the catalog as it was.
 */
export async function importProducts(
  catalog: CatalogService,
  file: ImportFile,
  { update, now, progress, imageHosts, taxCategories, record }: ProductImportOptions,
): Promise<ImportSummary> {
  if (file.categories.length + file.products.length === 0)
    refuse(file.problems.length > 0 ? file.problems : [{ order: 0, text: 'The file has no categories or products.' }]);
  const problems: Problem[] = [...file.problems];

  const knownSlugs = new Set((await catalog.listNavCategories()).map((c) => c.slug));
  const newCategories: Required<CategoryInput>[] = [];
  const changedCategories: Partial<CategoryInput>[] = [];
  const fileSlugs = new Map<string, string>();
  for (const entry of file.categories) {
    const c = checkCategoryEntry(entry);
    if (!c.ok) {
      problems.push({ order: entry.order, text: c.problem });
      continue;
    }
    const first = fileSlugs.get(c.input.slug);
    if (first) problems.push({ order: entry.order, text: `${placeOf(entry)}: appears again (first at ${first}).` });
    else if (knownSlugs.has(c.input.slug) && !update)
      problems.push({ order: entry.order, text: `${placeOf(entry)}: already exists; add --update to change existing categories.` });
    else if (knownSlugs.has(c.input.slug)) changedCategories.push({ ...c.given, slug: c.input.slug });
    else newCategories.push(c.input);
    fileSlugs.set(c.input.slug, first ?? entry.where);
  }

  const rawSkus = file.products.map((e) => (typeof e.fields.sku === 'string' ? normaliseSku(e.fields.sku) : ''));
  const existing = await findExisting(catalog, [...new Set(rawSkus.filter(Boolean))]);
  const creates: ProductInput[] = [];
  const updates: { sku: string; patch: ProductPatch }[] = [];
  const seen = new Map<string, string>();
  file.products.forEach((entry, i) => {
    const sku = rawSkus[i]!;
    const first = sku ? seen.get(sku) : undefined;
    if (first) {
      problems.push({ order: entry.order, text: `${placeOf(entry)}: appears again (first at ${first}; SKUs ignore case).` });
      return;
    }
    if (sku) seen.set(sku, entry.where);
    const row = checkProductEntry(entry, existing, update, now, { imageHosts });
    if (!row.ok) {
      problems.push({ order: entry.order, text: row.problem });
      return;
    }
    const unknown = row.categories.filter((s) => !knownSlugs.has(s) && !fileSlugs.has(s));
    if (unknown.length > 0) {
      problems.push({
        order: entry.order,
        text: `${placeOf(entry)}: unknown categor${unknown.length > 1 ? 'ies' : 'y'} ${unknown.join(', ')} (not in the store or the file).`,
      });
      return;
    }
    const taxCategory = row.kind === 'create' ? (row.input.taxCategory ?? '') : row.patch.taxCategory;
    const tax = taxCategory === undefined ? undefined : taxCategory.trim().toLowerCase() || 'standard';
    if (tax !== undefined && taxCategories && !taxCategories.includes(tax)) {
      const problem = `unknown tax category ${tax} (no tax rate names it; add one with tax-rates set first).`;
      problems.push({ order: entry.order, text: `${placeOf(entry)}: ${problem}` });
      return;
    }
    if (row.kind === 'create') creates.push(row.input);
    else updates.push({ sku: row.sku, patch: row.patch });
  });
  if (problems.length > 0) refuse(problems);

  // Oldest first, so ids follow creation as in real data (the "new arrivals" order).
  creates.sort((a, b) => (a.createdAt ?? now) - (b.createdAt ?? now));
  const summary: ImportSummary = {
    categoriesCreated: newCategories.length,
    categoriesUpdated: changedCategories.length,
    productsCreated: creates.length,
    productsUpdated: updates.length,
  };
  const bar = progress('Importing', creates.length + updates.length);
  try {
    await catalog.withTransaction(async (tx) => {
      for (const c of newCategories) await catalog.createCategory(c, tx);
      for (const { slug, ...patch } of changedCategories) await catalog.updateCategory(slug!, patch, tx);
      for (let i = 0; i < creates.length; i += INSERT_BATCH) {
        const batch = creates.slice(i, i + INSERT_BATCH);
        await catalog.createProductsBulk(batch, tx);
        bar.add(batch.length);
      }
      for (const u of updates) {
        await catalog.updateProduct(u.sku, u.patch, tx);
        bar.add(1);
      }
      await record?.(tx, { ...summary, skus: { created: creates.map((c) => c.sku), updated: updates.map((u) => u.sku) } });
    });
  } finally {
    bar.done();
  }
  if (creates.length >= 1000) await catalog.refreshStatistics();
  return summary;
}
