import { basename } from 'node:path';
import type { Command } from '../command.js';
import { cliActor } from '../context.js';
import { readInputFile } from '../files.js';
import { parseImportFile } from '../import/import-file.js';
import { importProducts } from '../import/product-import.service.js';

/** The first SKUs of a list for the audit row, and how many more there were. */
const sample = (skus: string[], max = 100) => (skus.length > max ? [...skus.slice(0, max), `… ${skus.length - max} more`] : skus);

const importCommand: Command = {
  name: 'products import',
  summary: 'Import categories and products from a JSON or CSV file (all or nothing)',
  usage: '<file.json|file.csv> [--update]',
  args: { min: 1, max: 1 },
  options: { update: { type: 'boolean' } },
  help: `
Every row is checked first and every problem is listed with its place (CSV line, or JSON entry
and SKU); only a file without problems is written, in one transaction. A SKU that exists already
is refused unless --update is given, which changes the fields the file gives and keeps the rest.

JSON: the demo catalog format (demo/catalog.json): {"categories": [...], "products": [...]}, or
a plain list of products. Prices in minor units (1999 = 19.99). "keyPoolSize" is ignored: import
keys with \`keys import\`.

CSV: a header row, then one product per row. Columns (only sku is required in the header):
  sku, name, summary, description   text; quoted fields may span lines
  price, currency                   19.99 in the currency's major unit, ISO code (EUR, USD, JPY)
  type                              key_lim, key or file
  status                            active (default), draft or archived
  featured                          yes or no
  categories                        category slugs separated by ;
  images                            url|alt text entries separated by ; (https:// images only
                                    from hosts in IMAGE_HOSTS; upload others in /admin)
  specs                             Label: value entries separated by ;
  download_limit, access_days       file products only
  activation_limit                  key products only
  tax_category                      standard (default) or a category a tax rate names
An empty cell means "not given": a new product gets the default, an updated one keeps its value.
New products need name, price, currency and type. A CSV with a "slug" column and no "sku"
(slug, name, description, position) imports categories.

Options:
  --update   change products (and categories) that exist already instead of refusing them`,
  async run(ctx) {
    const [path] = ctx.positionals as [string];
    const text = await readInputFile(path);
    const started = performance.now();
    const { catalog, config, tax, audit } = await ctx.services();
    const actor = cliActor();
    const file = parseImportFile(path, text);
    const r = await importProducts(catalog, file, {
      update: ctx.values.update === true,
      now: ctx.clock(),
      progress: ctx.out.progress,
      imageHosts: config.images.hosts,
      taxCategories: await tax.categories(),
      // One audit row per import, not per product: a catalog of 100,000 rows stays one line in /admin/audit.
      record: (tx, { skus, ...counts }) =>
        audit.recordOwnerAction(
          {
            actor,
            action: 'product.import',
            subject: basename(path),
            after: { ...counts, update: ctx.values.update === true, created: sample(skus.created), updated: sample(skus.updated) },
          },
          tx,
        ),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const part = (n: number, one: string, many: string) => (n > 0 ? [`${n} ${n === 1 ? one : many}`] : []);
    const done = [
      ...part(r.productsCreated, 'product created', 'products created'),
      ...part(r.productsUpdated, 'product updated', 'products updated'),
      ...part(r.categoriesCreated, 'category created', 'categories created'),
      ...part(r.categoriesUpdated, 'category updated', 'categories updated'),
    ];
    ctx.out.line(`Imported ${basename(path)}: ${done.join(', ')} in ${seconds} s.`);
  },
};

export const productsCommands: Command[] = [importCommand];
