import type { CatalogService } from '../../catalog/catalog.service.js';
import { normaliseSku } from '../../catalog/sku.js';
import { MAX_KEY_LENGTH, type KeyPoolService } from '../../fulfilment/key-pool.service.js';
import type { Database } from '../../platform/db/db.js';
import { AppError, NotFoundError } from '../../platform/errors.js';
import type { Progress } from '../output.js';
import type { Problem } from './import-file.js';
import { refuse } from './product-import.service.js';

/** Keys per importKeys call: the progress bar moves per chunk, all inside one transaction. */
const CHUNK = 5000;

export interface KeyLine {
  key: string;
  line: number;
}

/** A key file: one key per line, trimmed; blank lines and `#` comments skipped; bad and repeated keys reported by line. */
export function parseKeyFile(text: string): { keys: KeyLine[]; problems: Problem[] } {
  const keys: KeyLine[] = [];
  const problems: Problem[] = [];
  const firstLine = new Map<string, number>();
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = i + 1;
      const key = raw.trim();
      if (key === '' || key.startsWith('#')) return;
      if (key.length > MAX_KEY_LENGTH) {
        problems.push({ order: line, text: `line ${line}: the key has ${key.length} characters; at most ${MAX_KEY_LENGTH}.` });
        return;
      }
      const first = firstLine.get(key);
      if (first !== undefined) {
        problems.push({ order: line, text: `line ${line}: the same key as line ${first}.` });
        return;
      }
      firstLine.set(key, line);
      keys.push({ key, line });
    });
  return { keys, problems };
}

/** Shortened for messages: a key is a secret, so only its start is shown. */
const glimpse = (key: string) => (key.length > 8 ? `${key.slice(0, 4)}…${key.slice(-2)}` : `${key.slice(0, 2)}…`);

/**
 * Imports a key file into a key_lim product's pool, all or nothing: problems in the file, or keys
 * already in any pool, refuse the whole file with every offending line named.
 */
export async function importKeyFile(
  { db, catalog, keyPool }: { db: Database; catalog: CatalogService; keyPool: KeyPoolService },
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
  const { keys, problems } = parseKeyFile(text);
  if (keys.length === 0 && problems.length === 0)
    throw new AppError('no_keys', 'The file holds no keys (blank lines and lines starting with # are skipped).');
  if (problems.length > 0) await refuseWithPooled(keyPool, keys, problems);

  const bar = progress(`Importing keys for ${sku}`, keys.length);
  try {
    // importKeys refuses keys already in a pool (checked inside this transaction, so a key added
    // meanwhile counts too); only then is the whole file looked up again to name every such line.
    await db.transaction(async (tx) => {
      for (let i = 0; i < keys.length; i += CHUNK) {
        const chunk = keys.slice(i, i + CHUNK).map((k) => k.key);
        await keyPool.importKeys(product.id, chunk, tx);
        bar.add(chunk.length);
      }
    });
  } catch (err) {
    if (err instanceof AppError && err.code === 'duplicate_keys') await refuseWithPooled(keyPool, keys, problems);
    throw err;
  } finally {
    bar.done();
  }
  return { sku, productId: product.id, added: keys.length };
}

/** Adds a problem for every key already in a pool and refuses the file. */
async function refuseWithPooled(keyPool: KeyPoolService, keys: KeyLine[], problems: Problem[]): Promise<never> {
  const pooled = await keyPool.findKeysInPools(keys.map((k) => k.key));
  for (const k of keys)
    if (pooled.has(k.key)) problems.push({ order: k.line, text: `line ${k.line}: key ${glimpse(k.key)} is already in a pool.` });
  return refuse(problems, 'No keys were imported');
}
