import type { AuditActor, AuditService } from '../audit/audit.service.js';
import type { CatalogService } from '../catalog/catalog.service.js';
import type { ProductInput } from '../catalog/catalog.validation.js';
import type { Executor } from '../platform/db/db.js';
import { AppError, NotFoundError } from '../platform/errors.js';
import { fieldOfError, toProductInput, type ProductFormErrors, type ProductFormValues } from './admin-product-form.js';

export interface AdminProductsDeps {
  catalog: Pick<CatalogService, 'withTransaction' | 'createProduct' | 'updateProduct' | 'getProductForOwner' | 'listNavCategories'>;
  audit: Pick<AuditService, 'recordOwnerAction'>;
}

/** A save's outcome: the product's SKU, or the form's problems field by field (nothing written). */
export type SaveResult = { ok: true; sku: string } | { ok: false; errors: ProductFormErrors };

type Snapshot = NonNullable<Awaited<ReturnType<CatalogService['getProductForOwner']>>>;
type Product = Omit<Snapshot, 'id' | 'updatedAt'>;

const copyOf = (sku: string, n: number) => `${sku.slice(0, 50)}-COPY${n > 1 ? `-${n}` : ''}`;
const productNotFound = () => new NotFoundError('We could not find that product.', 'product_not_found');

function snapshot({ id: _id, updatedAt: _at, ...product }: Snapshot): Product {
  return product;
}

/** The fields whose value changed, before and after: what the audit log keeps for an edit. */
function changes(before: Product, after: Product): { before: Partial<Product>; after: Partial<Product> } {
  const keys = (Object.keys(after) as (keyof Product)[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  return { before: Object.fromEntries(keys.map((k) => [k, before[k]])), after: Object.fromEntries(keys.map((k) => [k, after[k]])) };
}

/** The owner's product writes from the browser: through the catalog service (as the CLI), each with its audit row in one transaction. */
export function createAdminProductsService({ catalog, audit }: AdminProductsDeps) {
  const read = async (sku: string, tx?: Executor) => {
    const p = await catalog.getProductForOwner(sku, tx);
    if (!p) throw productNotFound();
    return p;
  };

  /** Runs a write; a catalog refusal about a field becomes that field's message. */
  async function attempt(errors: ProductFormErrors, fn: () => Promise<string>): Promise<SaveResult> {
    if (Object.keys(errors).length > 0) return { ok: false, errors };
    try {
      return { ok: true, sku: await fn() };
    } catch (err) {
      const field = err instanceof AppError ? fieldOfError(err) : null;
      if (!field || !(err instanceof AppError)) throw err;
      return { ok: false, errors: { [field]: err.message } };
    }
  }

  return {
    /** A product as the edit form shows it; `product_not_found` (404) for an unknown SKU. */
    getProduct: (sku: string) => read(sku),

    /** The categories the form offers. */
    listCategories: () => catalog.listNavCategories(),

    /** Creates a product from the form. */
    create(actor: AuditActor, values: ProductFormValues): Promise<SaveResult> {
      const { input, errors } = toProductInput(values);
      return attempt(errors, () =>
        catalog.withTransaction(async (tx) => {
          const { sku } = await catalog.createProduct(input, tx);
          const after = snapshot(await read(sku, tx));
          await audit.recordOwnerAction({ actor, action: 'product.create', subject: sku, after }, tx);
          return sku;
        }),
      );
    },

    /** Changes a product from the form (the SKU stays); an existing order keeps the price it was bought at. */
    update(actor: AuditActor, sku: string, values: ProductFormValues): Promise<SaveResult> {
      const { input, errors } = toProductInput({ ...values, sku });
      const { sku: _sku, createdAt: _created, ...patch } = input;
      return attempt(errors, () =>
        catalog.withTransaction(async (tx) => {
          const before = snapshot(await read(sku, tx));
          await catalog.updateProduct(before.sku, patch, tx);
          const diff = changes(before, snapshot(await read(before.sku, tx)));
          if (Object.keys(diff.after).length > 0)
            await audit.recordOwnerAction({ actor, action: 'product.update', subject: before.sku, ...diff }, tx);
          return before.sku;
        }),
      );
    },

    /** Copies a product as a draft under a free SKU (`<SKU>-COPY`, `-COPY-2`, …); returns the copy's SKU. */
    async duplicate(actor: AuditActor, sku: string): Promise<string> {
      return catalog.withTransaction(async (tx) => {
        const source = snapshot(await read(sku, tx));
        let n = 1;
        while (await catalog.getProductForOwner(copyOf(source.sku, n), tx)) n++;
        const copySku = copyOf(source.sku, n);
        const input: ProductInput = { ...source, sku: copySku, status: 'draft', featured: false };
        await catalog.createProduct(input, tx);
        const after = snapshot(await read(copySku, tx));
        await audit.recordOwnerAction({ actor, action: 'product.duplicate', subject: copySku, before: { from: source.sku }, after }, tx);
        return copySku;
      });
    },

    /** Archives a product (hidden from the shop, orders untouched) or brings it back as a draft. */
    async setArchived(actor: AuditActor, sku: string, archived: boolean): Promise<string> {
      return catalog.withTransaction(async (tx) => {
        const before = await read(sku, tx);
        const status = archived ? 'archived' : 'draft';
        if (before.status === status) return before.sku;
        await catalog.updateProduct(before.sku, { status }, tx);
        const action = archived ? 'product.archive' : 'product.unarchive';
        await audit.recordOwnerAction({ actor, action, subject: before.sku, before: { status: before.status }, after: { status } }, tx);
        return before.sku;
      });
    },
  };
}

export type AdminProductsService = ReturnType<typeof createAdminProductsService>;
