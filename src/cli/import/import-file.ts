import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';

/** One thing wrong with an import file, placed so the owner can find it. */
export interface Problem {
  /** Sort key: the CSV line, or the JSON entry's position. */
  order: number;
  text: string;
}

/** An entry of the file before conversion: where it is, and its fields as written. */
export interface RawEntry {
  /** `line 12` (CSV) or `products[3]` (JSON); the SKU or slug is added when known. */
  where: string;
  order: number;
  fields: Record<string, unknown>;
  format: 'csv' | 'json';
}

export interface ImportFile {
  categories: RawEntry[];
  products: RawEntry[];
  problems: Problem[];
}

/** CSV columns of a products file; `sku` is required, the others as the owner needs them. */
export const PRODUCT_COLUMNS = [
  'sku',
  'name',
  'summary',
  'description',
  'price',
  'currency',
  'type',
  'status',
  'featured',
  'categories',
  'images',
  'specs',
  'download_limit',
  'access_days',
  'activation_limit',
  'tax_category',
] as const;
/** CSV columns of a categories file (recognised by a `slug` column and no `sku`). */
export const CATEGORY_COLUMNS = ['slug', 'name', 'description', 'position'] as const;

/** Keys a JSON product may have (the demo catalog format). */
export const PRODUCT_KEYS = [
  'sku',
  'name',
  'summary',
  'description',
  'price',
  'currency',
  'type',
  'status',
  'featured',
  'specs',
  'categories',
  'images',
  'downloadLimit',
  'accessDays',
  'activationLimit',
  'taxCategory',
  'createdDaysAgo',
  'keyPoolSize',
];
const CATEGORY_KEYS = ['slug', 'name', 'description', 'position'];

/** Reads a products/categories file by its extension (.json or .csv); syntax errors are problems, not throws. */
export function parseImportFile(name: string, text: string): ImportFile {
  const ext = extname(name).toLowerCase();
  if (ext === '.json') return parseJsonFile(text);
  if (ext === '.csv') return parseCsvFile(text);
  return { categories: [], products: [], problems: [{ order: 0, text: `${name}: the file must end in .json or .csv.` }] };
}

/** `where` with the entry's SKU or slug, for messages. */
export function placeOf(entry: RawEntry): string {
  const sku = entry.fields.sku;
  const slug = entry.fields.slug;
  if (typeof sku === 'string' && sku.trim()) return `${entry.where} (SKU ${sku.trim().toUpperCase()})`;
  if (typeof slug === 'string' && slug.trim()) return `${entry.where} (category ${slug.trim()})`;
  return entry.where;
}

function parseJsonFile(text: string): ImportFile {
  const result: ImportFile = { categories: [], products: [], problems: [] };
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    result.problems.push({ order: 0, text: `The file is not valid JSON: ${(err as Error).message}` });
    return result;
  }
  const top = Array.isArray(data) ? { products: data } : data;
  if (!top || typeof top !== 'object' || !Array.isArray((top as { products?: unknown }).products)) {
    result.problems.push({
      order: 0,
      text: 'The file must be a list of products, or an object with a "products" list (and optionally "categories"), as demo/catalog.json.',
    });
    return result;
  }
  const { categories = [], products, ...unknown } = top as { categories?: unknown; products: unknown[] };
  for (const key of Object.keys(unknown))
    result.problems.push({ order: 0, text: `Unknown top-level field "${key}" (expected "categories" and "products").` });
  if (!Array.isArray(categories)) {
    result.problems.push({ order: 0, text: '"categories" must be a list.' });
    return result;
  }
  const collect = (list: unknown[], kind: 'categories' | 'products', keys: string[], offset: number) =>
    list.flatMap((value, i): RawEntry[] => {
      const where = `${kind}[${i}]`;
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        result.problems.push({ order: offset + i, text: `${where}: must be an object.` });
        return [];
      }
      const entry: RawEntry = { where, order: offset + i, fields: value as Record<string, unknown>, format: 'json' };
      const extra = Object.keys(value).filter((k) => !keys.includes(k));
      if (extra.length > 0)
        result.problems.push({
          order: entry.order,
          text: `${placeOf(entry)}: unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')}.`,
        });
      return [entry];
    });
  result.categories = collect(categories, 'categories', CATEGORY_KEYS, 1);
  result.products = collect(products, 'products', PRODUCT_KEYS, 1 + categories.length);
  return result;
}

function parseCsvFile(text: string): ImportFile {
  const result: ImportFile = { categories: [], products: [], problems: [] };
  let records: Array<{ record: string[]; info: { lines: number } }>;
  let parsedTo = 0;
  try {
    records = parseCsv(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
      on_record: (r: { info: { lines: number } }) => ((parsedTo = r.info.lines), r),
    } as never) as unknown as typeof records;
  } catch (err) {
    const line = Number((err as { lines?: unknown }).lines) || 0;
    // The parser names where it gave up (the end of the file for an open quote); the record began after the last good one.
    const start =
      (err as { code?: string }).code === 'CSV_QUOTE_NOT_CLOSED'
        ? ` (the quoted field opens in the record starting on line ${parsedTo + 1})`
        : '';
    result.problems.push({ order: line, text: `The file is not valid CSV: ${(err as Error).message}${start}.` });
    return result;
  }
  const [head, ...rows] = records;
  if (!head) {
    result.problems.push({ order: 0, text: 'The file is empty: it needs a header row and one row per product.' });
    return result;
  }
  const header = head.record.map((h) =>
    h
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_'),
  );
  const isCategories = header.includes('slug') && !header.includes('sku');
  const known: readonly string[] = isCategories ? CATEGORY_COLUMNS : PRODUCT_COLUMNS;
  const unknownColumns = header.filter((h) => !known.includes(h));
  if (unknownColumns.length > 0)
    result.problems.push({
      order: 1,
      text: `line 1: unknown column${unknownColumns.length > 1 ? 's' : ''} ${unknownColumns.join(', ')} (known: ${known.join(', ')}).`,
    });
  const repeated = header.filter((h, i) => header.indexOf(h) !== i);
  if (repeated.length > 0)
    result.problems.push({
      order: 1,
      text: `line 1: column${repeated.length > 1 ? 's' : ''} ${[...new Set(repeated)].join(', ')} appear${repeated.length > 1 ? '' : 's'} twice.`,
    });
  if (!isCategories && !header.includes('sku'))
    result.problems.push({ order: 1, text: 'line 1: the header needs a "sku" column (or "slug" for a categories file).' });
  if (result.problems.length > 0) return result;

  for (const { record, info } of rows) {
    // info.lines is where the record ends; quoted fields may span lines.
    const line = info.lines - record.reduce((n, field) => n + (field.match(/\n/g)?.length ?? 0), 0);
    const where = `line ${line}`;
    if (record.length !== header.length) {
      result.problems.push({ order: line, text: `${where}: has ${record.length} fields, the header has ${header.length}.` });
      continue;
    }
    // An empty cell is "not given": new products get the default, existing ones keep their value.
    const fields = Object.fromEntries(header.flatMap((h, i) => (record[i]!.trim() === '' ? [] : [[h, record[i]!]])));
    (isCategories ? result.categories : result.products).push({ where, order: line, fields, format: 'csv' });
  }
  return result;
}
