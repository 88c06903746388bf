/**
 * Shared by the downloads tests: a store with its own storage directory and a movable clock, paid
 * file orders made through the orders and fulfilment services (as checkout and the webhook leave
 * them), link requests as the buyer's browser makes them, and downloads without any cookie.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dialect } from '../../src/platform/db/db.js';
import { createDownloadTokens } from '../../src/fulfilment/download-token.js';
import { downloadLinkKey } from '../../src/fulfilment/downloads.service.js';
import { createFulfilmentService } from '../../src/fulfilment/fulfilment.service.js';
import { createProductFilesService, type ProductFilesService } from '../../src/fulfilment/product-files.service.js';
import { createKeySigner, loadSigningKey } from '../../src/fulfilment/signed-key.js';
import { createLocalStorage } from '../../src/fulfilment/storage.local.js';
import { createOrdersService } from '../../src/orders/orders.service.js';
import { testConfig } from '../support/env.js';
import { createSecretBox } from '../../src/platform/crypto.js';
import { createTestApp, type TestApp } from '../support/app.js';
import type { LoggedIn } from '../support/auth.js';
import { catalogFixtures, makeFileProduct } from '../support/factories.js';

export const MINUTE = 60_000;
export const DAY = 86_400_000;

export interface FileSpec {
  filename: string;
  contentType: string;
  data: Buffer;
}

/** Deterministic bytes of a given length (every byte position distinguishable in range tests). */
export function bytes(length: number, seed = 7): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed) % 251));
}

/** The store for one dialect: its clock runs `offset` ms ahead of real time (move it only for cookie-less requests). */
export async function downloadsStore(dialect: Dialect, env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'store-downloads-'));
  const time = { offset: 0 };
  const clock = () => Date.now() + time.offset;
  const t: TestApp = await createTestApp(dialect, { ...env, STORAGE_DIR: dir }, clock);
  const config = testConfig();
  const fx = catalogFixtures(t.db, clock);
  const orders = createOrdersService({ db: t.db, clock });
  const signer = createKeySigner(loadSigningKey(config.licenseSigningKey));
  const fulfilment = createFulfilmentService({
    db: t.db,
    keyPool: fx.keyPool,
    signer,
    secrets: createSecretBox(config.encryptionKey),
    clock,
    defaults: config.downloadDefaults,
  });
  const productFiles = createProductFilesService({ db: t.db, storage: createLocalStorage(dir), clock });
  /** Tokens signed with the store's own key, for links a test needs at a chosen time. */
  const tokens = createDownloadTokens(downloadLinkKey(config.sessionSecret));

  /** A paid, fulfilled order of one file product (its files attached) for `buyer`. */
  async function paidFileOrder(
    buyer: LoggedIn,
    {
      files,
      quantity = 1,
      downloadLimit = 5,
      accessDays = 30,
      attachWith = productFiles,
    }: { files: FileSpec[]; quantity?: number; downloadLimit?: number; accessDays?: number; attachWith?: ProductFilesService },
  ) {
    const product = await makeFileProduct(fx.catalog, { downloadLimit, accessDays });
    const attached = [];
    for (const f of files)
      attached.push(await attachWith.attachFile(product.id, { filename: f.filename, contentType: f.contentType, buffer: f.data }));
    const id = `ord_${randomBytes(12).toString('hex')}`;
    const now = clock();
    const [item] = await t.db.transaction(async (tx) => {
      const items = await orders.createOrder(
        tx,
        {
          id,
          user_sub: buyer.user.sub,
          email: buyer.user.email,
          currency: 'EUR',
          subtotal: 500 * quantity,
          tax: 0,
          total: 500 * quantity,
          created_at: now,
          updated_at: now,
        },
        [
          {
            product_id: product.id,
            sku: product.sku,
            name: 'Test download',
            type: 'file',
            unit_price: 500,
            quantity,
            download_limit: downloadLimit,
            access_days: accessDays,
          },
        ],
      );
      await orders.applyEvent(tx, id, 'payment_settled', 'test', { paid_at: now });
      await fulfilment.deliverOrder(tx, id, items);
      return items;
    });
    return { id, item: item!, product, files: attached };
  }

  /** The buyer's Download button: POST with unit, file and the CSRF token. */
  const requestLink = (buyer: LoggedIn, orderId: string, itemId: number, fileId: number, unit = 0) =>
    buyer.browser.request(`/orders/${orderId}/items/${itemId}/download`, {
      form: { unit: String(unit), file: String(fileId) },
    });

  /** A download as a download manager makes it: no cookie, its own address, optional headers. */
  const download = (url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') =>
    t.app.inject({ method, url: new URL(url, 'http://localhost:3000').pathname, headers, remoteAddress: '203.0.113.7' });

  const grantsOf = (itemId: number) =>
    t.db.kysely.selectFrom('download_grants').selectAll().where('order_item_id', '=', itemId).orderBy('unit_index').execute();
  const logOf = (grantId: number) =>
    t.db.kysely.selectFrom('download_log').selectAll().where('grant_id', '=', grantId).orderBy('id').execute();

  return {
    t,
    /** the store's STORAGE_DIR */
    dir,
    fx,
    time,
    clock,
    orders,
    fulfilment,
    productFiles,
    tokens,
    paidFileOrder,
    requestLink,
    download,
    grantsOf,
    logOf,
    async close() {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type DownloadsStore = Awaited<ReturnType<typeof downloadsStore>>;
