import type { Executor } from '../platform/db/db.js';
import type { ProductStatus, ProductType } from '../platform/db/schema.js';
import { ValidationError } from '../platform/errors.js';
import type { CatalogRepo } from './catalog.repo.js';
import type { CleanProduct } from './catalog.validation.js';
import { parseSku } from './sku.js';
import { LOW_STOCK } from './stock.js';

/** The owner's product list filter: each part optional. */
export interface OwnerListFilter {
  status?: ProductStatus | null;
  type?: ProductType | null;
  /** A category slug. */
  category?: string | null;
  /** A SKU prefix or part of the name. */
  q?: string | null;
  /** Only key_lim products at or below their low-stock threshold. */
  lowStock?: boolean;
}

/** The owner's reads of products in any status: the filtered list and one product as the edit form shows it. */
export function createCatalogOwnerReads({ repo }: { repo: CatalogRepo }) {
  return {
    /** A product in any status as the owner edits it (categories by slug, gallery in order), or null. */
    async getProductForOwner(rawSku: string, tx?: Executor): Promise<(CleanProduct & { id: number; updatedAt: number }) | null> {
      const sku = parseSku(rawSku);
      const p = sku ? await repo.findProductBySku(sku, tx) : undefined;
      if (!p) return null;
      const [slugs, images] = await Promise.all([repo.findCategorySlugsOfProduct(p.id, tx), repo.findImages([p.id], tx)]);
      return {
        id: p.id,
        updatedAt: p.updated_at,
        sku: p.sku,
        name: p.name,
        summary: p.summary,
        description: p.description,
        price: p.price,
        currency: p.currency,
        type: p.type,
        status: p.status,
        featured: p.featured === 1,
        specs: JSON.parse(p.specs) as [string, string][],
        categories: slugs.map((c) => c.slug),
        images: images.map(({ url, alt }) => ({ url, alt })),
        downloadLimit: p.download_limit,
        accessDays: p.access_days,
        activationLimit: p.activation_limit,
        taxCategory: p.tax_category,
      };
    },

    /** A page of products matching the owner's filter (category by slug), newest first, and how many there are. */
    async listProductsForOwner(filter: OwnerListFilter, limit: number, offset: number) {
      const slug = filter.category ?? null;
      const [category] = slug ? await repo.findCategoryIds([slug]) : [];
      if (slug && !category) throw new ValidationError(`There is no category ${slug}.`, { categories: [slug] }, 'unknown_category');
      const where = {
        status: filter.status ?? null,
        type: filter.type ?? null,
        categoryId: category?.id ?? null,
        q: filter.q || null,
        lowStock: filter.lowStock ? { defaultThreshold: LOW_STOCK } : null,
      };
      const [total, products] = await Promise.all([repo.countProductsForOwner(where), repo.findProductsForOwner(where, limit, offset)]);
      return { total, products };
    },
  };
}
