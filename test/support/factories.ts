import { randomUUID } from 'node:crypto';
import { createCaches, type Caches } from '../../src/caches.js';
import type { OrdersService } from '../../src/orders/orders.service.js';
import { priceLines } from '../../src/orders/pricing.js';
import { createCatalogService, type CatalogService } from '../../src/catalog/catalog.service.js';
import type { CategoryInput, ProductInput } from '../../src/catalog/catalog.validation.js';
import { createKeyPoolService, type KeyPoolService } from '../../src/fulfilment/key-pool.service.js';
import { testConfig } from './env.js';
import { createSecretBox } from '../../src/platform/crypto.js';
import type { Database } from '../../src/platform/db/db.js';

let sequence = 0;
const next = () => `${process.pid.toString(36)}${(++sequence).toString(36)}`.toUpperCase();

export interface CatalogFixtures {
  catalog: CatalogService;
  keyPool: KeyPoolService;
}

// The caches of the app createTestApp built on a database, so that writes through fixtures clear
// what that app shows, as writes through the app itself would.
const appCaches = new WeakMap<Database, Caches>();

/** Records the caches of the app built on `db`, for the fixtures made on it. */
export function shareCachesWithFixtures(db: Database, caches: Caches): void {
  appCaches.set(db, caches);
}

/**
 * Catalog and key-pool services on a test database, with the encryption key of `testConfig()` so
 * keys imported here can be read by an app built by `createTestApp`. They use that app's caches
 * (their writes clear what it shows), else `caches`, else caches of their own.
 */
export function catalogFixtures(db: Database, clock: () => number = Date.now, caches?: Caches): CatalogFixtures {
  const config = testConfig();
  const shared = caches ?? appCaches.get(db) ?? createCaches({ clock });
  const keyPool = createKeyPoolService({
    db,
    secrets: createSecretBox(config.encryptionKey, config.previousEncryptionKeys),
    clock,
    shownStock: shared.shownStock,
  });
  return { catalog: createCatalogService({ db, keyPool, clock, caches: shared.catalog }), keyPool };
}

/** A category with a unique slug unless given; returns its id and slug. */
export function makeCategory(catalog: CatalogService, overrides: Partial<CategoryInput> = {}) {
  const n = next().toLowerCase();
  return catalog.createCategory({ slug: `category-${n}`, name: `Category ${n}`, description: '', ...overrides });
}

/** An active `key` product (EUR 19.00) with a unique SKU unless given; returns its id and SKU. */
export function makeProduct(catalog: CatalogService, overrides: Partial<ProductInput> = {}) {
  const n = next();
  return catalog.createProduct({
    sku: `TEST-${n}`,
    name: `Test product ${n}`,
    summary: 'A product made by a test.',
    description: 'Made by a **test**.',
    price: 1900,
    currency: 'EUR',
    type: 'key',
    status: 'active',
    ...overrides,
  });
}

/** A key_lim product with `keys` keys in its pool (generated unless given as strings). */
export async function makeKeyLimProduct(fixtures: CatalogFixtures, keys: number | string[], overrides: Partial<ProductInput> = {}) {
  const product = await makeProduct(fixtures.catalog, { type: 'key_lim', ...overrides });
  const list = typeof keys === 'number' ? Array.from({ length: keys }, (_, i) => `KEY-${product.sku}-${i + 1}`) : keys;
  if (list.length > 0) await fixtures.keyPool.importKeys(product.id, list);
  return { ...product, keys: list };
}

/** A downloadable `file` product. */
export function makeFileProduct(catalog: CatalogService, overrides: Partial<ProductInput> = {}) {
  return makeProduct(catalog, { type: 'file', downloadLimit: 5, accessDays: 30, ...overrides });
}

/** A line of a taxed order (issue 18): what the checkout writes per line, priced by priceLines. */
export interface TaxedLineInput {
  product: { id: number; sku: string; name?: string };
  unitPrice: number;
  quantity: number;
  /** minor units off the whole line */
  discount?: number;
  rateBp: number;
}

/**
 * An order as 021's checkout writes it (billing details, reverse charge, discount, per-line
 * discount/rate/net/tax/gross), created through the orders service and, unless `paid: false`, paid
 * (the invoice number taken by the paying transition, as the webhook's settle does). Returns its id.
 */
export async function makeTaxedOrder(
  db: Database,
  orders: OrdersService,
  input: {
    userSub: string;
    email: string;
    lines: TaxedLineInput[];
    billing?: { name?: string; company?: string; address?: string; country?: string; vatId?: string };
    reverseCharge?: boolean;
    pricesIncludeTax?: boolean;
    discountCode?: string;
    paid?: boolean;
    paidAt?: number;
  },
): Promise<string> {
  const pricesIncludeTax = input.pricesIncludeTax ?? true;
  const reverseCharge = input.reverseCharge ?? false;
  const quote = priceLines(
    input.lines.map((l) => ({ unitPrice: l.unitPrice, quantity: l.quantity, discount: l.discount ?? 0, rateBp: l.rateBp })),
    { pricesIncludeTax, reverseCharge },
  );
  const id = `ord_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
  const now = input.paidAt ?? Date.now();
  await db.transaction(async (tx) => {
    await orders.createOrder(
      tx,
      {
        id,
        user_sub: input.userSub,
        email: input.email,
        currency: 'EUR',
        subtotal: quote.subtotal,
        tax: quote.tax,
        total: quote.total,
        reserved_until: now + 60_000,
        created_at: now,
        updated_at: now,
        billing_name: input.billing?.name ?? null,
        billing_company: input.billing?.company ?? null,
        billing_address: input.billing?.address ?? null,
        billing_country: input.billing?.country ?? null,
        billing_vat_id: input.billing?.vatId ?? null,
        reverse_charge: reverseCharge ? 1 : 0,
        prices_include_tax: pricesIncludeTax ? 1 : 0,
        discount_code: input.discountCode ?? null,
        discount: quote.discount,
      },
      input.lines.map((l, i) => ({
        product_id: l.product.id,
        sku: l.product.sku,
        name: l.product.name ?? l.product.sku,
        type: 'key',
        unit_price: l.unitPrice,
        quantity: l.quantity,
        discount: quote.lines[i]!.discount,
        tax_rate_bp: quote.lines[i]!.rateBp,
        net: quote.lines[i]!.net,
        tax: quote.lines[i]!.tax,
        gross: quote.lines[i]!.gross,
      })),
    );
    if (input.paid === false) return;
    const paid = await orders.applyEvent(tx, id, 'payment_settled', 'test', { paid_at: now, payment_intent: `pi_${id}` }, undefined, true);
    if (!paid.applied) throw new Error(`could not pay ${id}`);
  });
  return id;
}
