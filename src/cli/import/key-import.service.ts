import type { AuditActor, AuditService } from '../../audit/audit.service.js';
import type { CatalogService } from '../../catalog/catalog.service.js';
import { normaliseSku } from '../../catalog/sku.js';
import { importKeyText } from '../../fulfilment/key-file.js';
import type { KeyPoolService } from '../../fulfilment/key-pool.service.js';
import type { Database } from '../../platform/db/db.js';
import { AppError, NotFoundError } from '../../platform/errors.js';
import type { Progress } from '../output.js';

/**
 * Imports a key file into a key_lim product's pool by SKU, all or nothing (the rules are
 * fulfilment's importKeyText, the same the owner's keys page uses), with the keys page's audit
 * row (the count, never a key) in the same transaction.
 */
export async function importKeyFile(
  {
    db,
    catalog,
    keyPool,
    audit,
  }: { db: Database; catalog: CatalogService; keyPool: KeyPoolService; audit: Pick<AuditService, 'recordOwnerAction'> },
  actor: AuditActor,
  rawSku: string,
  text: string,
  progress: (label: string, total: number) => Progress,
): Promise<{ sku: string; productId: number; added: number }> {
  const sku = normaliseSku(rawSku);
  const [product] = await catalog.findCartProducts({ skus: [sku] });
  if (!product) throw new NotFoundError(`There is no product with SKU ${sku}.`, 'product_not_found');
  if (product.type !== 'key_lim') {
    throw new AppError(
      'not_a_key_pool_product',
      `${sku} is a ${product.type} product; only key_lim products have a pool of imported keys.`,
    );
  }
  const { added } = await db.transaction(async (tx) => {
    const r = await importKeyText({ db, keyPool }, product.id, text, {
      progress: (total) => progress(`Importing keys for ${sku}`, total),
      tx,
    });
    await audit.recordOwnerAction({ actor, action: 'product.keys.import', subject: sku, after: { added: r.added, source: 'file' } }, tx);
    return r;
  });
  return { sku, productId: product.id, added };
}
