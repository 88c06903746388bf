import { normaliseSku } from '../../catalog/sku.js';
import type { PoolCounts } from '../../fulfilment/key-pool.service.js';
import { AppError, NotFoundError } from '../../platform/errors.js';
import type { Command } from '../command.js';
import { cliActor } from '../context.js';
import { readInputFile } from '../files.js';
import { importKeyFile } from '../import/key-import.service.js';

const importCommand: Command = {
  name: 'keys import',
  summary: 'Import license keys for a key_lim product from a text file (all or nothing)',
  usage: '<sku> <file.txt>',
  args: { min: 2, max: 2 },
  help: `
One key per line; spaces around a key are trimmed, blank lines and lines starting with # are
skipped. Keys longer than 500 characters or with a control character (a tab), keys repeated in
the file and keys already in any product's pool are refused with their line numbers, and then no
key is imported (the owner's keys page at /admin/products/<sku>/keys applies the same rules). Keys are stored
encrypted; only key_lim products have a pool. Paid orders that were waiting for keys of this
product (paid after their reservation ended) are delivered right after the import.`,
  async run(ctx) {
    const [sku, path] = ctx.positionals as [string, string];
    const text = await readInputFile(path);
    const started = performance.now();
    const services = await ctx.services();
    const r = await importKeyFile(services, cliActor(), sku, text, ctx.out.progress);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    ctx.out.line(`Imported ${r.added} key${r.added === 1 ? '' : 's'} into the pool of ${r.sku} in ${seconds} s.`);
    // Orders paid after their reservation ended found the pool empty; they are delivered now, oldest first.
    const delivered = await services.orderPayments.fulfilWaitingFor(r.productId);
    if (delivered.length > 0)
      ctx.out.line(
        `Delivered ${delivered.length} order${delivered.length === 1 ? '' : 's'} that waited for these keys: ${delivered.join(', ')}.`,
      );
  },
};

const countCommand: Command = {
  name: 'keys count',
  summary: 'Keys available, reserved, sold and revoked per key_lim product',
  usage: '[sku] [--json]',
  args: { min: 0, max: 1 },
  options: { json: { type: 'boolean' } },
  help: `
Without a SKU, every key_lim product (any status), fewest available keys first.
Reserved keys are held by orders being paid; revoked keys were refunded and never return.`,
  async run(ctx) {
    const { catalog, keyPool } = await ctx.services();
    let products: { id: number; sku: string; name: string; status: string }[];
    if (ctx.positionals[0]) {
      const sku = normaliseSku(ctx.positionals[0]);
      const [product] = await catalog.findCartProducts({ skus: [sku] });
      if (!product) throw new NotFoundError(`There is no product with SKU ${sku}.`, 'product_not_found');
      if (product.type !== 'key_lim')
        throw new AppError('not_a_key_pool_product', `${sku} is a ${product.type} product; only key_lim products have a pool.`);
      products = [product];
    } else {
      products = (await catalog.listProductsForOwner({ type: 'key_lim' }, 10_000_000, 0)).products.filter((p) => p.type === 'key_lim');
    }
    const counts = new Map<number, PoolCounts>();
    for (let i = 0; i < products.length; i += 5000) {
      for (const [id, c] of await keyPool.countByStatus(products.slice(i, i + 5000).map((p) => p.id))) counts.set(id, c);
    }
    const rows = products
      .map((p) => ({ sku: p.sku, name: p.name, status: p.status, ...counts.get(p.id)! }))
      .sort((a, b) => a.available - b.available || a.sku.localeCompare(b.sku));
    if (ctx.values.json) return ctx.out.json(rows);
    ctx.out.table(rows, [
      ['SKU', (r) => r.sku],
      ['AVAILABLE', (r) => r.available],
      ['RESERVED', (r) => r.reserved],
      ['SOLD', (r) => r.sold],
      ['REVOKED', (r) => r.revoked],
      ['STATUS', (r) => r.status],
      ['NAME', (r) => r.name],
    ]);
  },
};

export const keysCommands: Command[] = [importCommand, countCommand];
