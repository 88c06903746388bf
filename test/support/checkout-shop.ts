import type { AppDeps } from '../../src/app.js';
import { createCartService } from '../../src/cart/cart.service.js';
import { createPurchaseService } from '../../src/catalog/purchase.service.js';
import { createCheckoutService, type CheckoutDeps } from '../../src/checkout/checkout.service.js';
import { createCliServices } from '../../src/cli/context.js';
import type { Config } from '../../src/platform/config.js';
import type { DevGatewayOptions } from '../../dev/gateway/gateway.js';
import type { Database, Dialect } from '../../src/platform/db/db.js';
import { createTestApp, type TestApp } from './app.js';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp } from './auth.js';
import { catalogFixtures, makeProduct, type CatalogFixtures } from './factories.js';
import { forwardWebhooksTo, gatewayEnv, startTestGateway, startWebhookReceiver, type DevGateway } from './gateway.js';

/** The webhook receiver a checkout shop's gateway delivers to. */
export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
type Product = Awaited<ReturnType<typeof makeProduct>>;

export interface CheckoutShopOptions {
  /** Where the gateway's webhooks go: into the app (default), only caught by the receiver, or nowhere. */
  webhooks?: 'forward' | 'catch' | 'none';
  clock?: () => number;
  gateway?: Partial<DevGatewayOptions>;
  app?: Pick<AppDeps, 'sessionCacheMs' | 'checkoutDomains'>;
}

export interface CheckoutShop {
  t: TestApp;
  idp: TestIdp;
  gateway: DevGateway;
  /** what the gateway delivered; null with `webhooks: 'none'` */
  receiver: WebhookReceiver | null;
  fx: CatalogFixtures;
  close(): Promise<void>;
  /** A new buyer with one product of each price in the cart (303 each) and, given one, the code applied. */
  buyerWith(lines: Array<{ price: number; quantity: number }>, code?: string): Promise<LoggedIn & { products: Product[] }>;
  /** The buyer's latest order. */
  orderOf(sub: string): ReturnType<typeof latestOrder>;
  countOrders(sub: string): Promise<number>;
  /** Pays the buyer's latest order on the gateway and waits for its webhook to settle it. */
  payAndSettle(sub: string): Promise<{ order: Awaited<ReturnType<typeof latestOrder>>; session: ReturnType<DevGateway['session']> }>;
}

const latestOrder = (t: TestApp, sub: string) =>
  t.db.kysely.selectFrom('orders').selectAll().where('user_sub', '=', sub).orderBy('created_at', 'desc').executeTakeFirstOrThrow();

/** The store through app.inject with its identity provider and dev gateway, for HTTP checkout tests (startBuyingShop's sibling). */
export async function startCheckoutShop(
  dialect: Dialect,
  env: Record<string, string> = {},
  options: CheckoutShopOptions = {},
): Promise<CheckoutShop> {
  const { webhooks = 'forward' } = options;
  const idp = await startTestIdp();
  const gateway = await startTestGateway(options.gateway);
  let t: TestApp | undefined;
  let receiver: WebhookReceiver | null = null;
  const close = async () => {
    await t?.close();
    await receiver?.close();
    await gateway.close();
    await idp.close();
  };
  try {
    t = await createTestApp(dialect, { ...idp.env, ...gatewayEnv(gateway), ...env }, options.clock, undefined, options.app);
    if (webhooks !== 'none') {
      receiver = await startWebhookReceiver(webhooks === 'forward' ? forwardWebhooksTo(t.app) : undefined);
      gateway.setWebhookUrl(receiver.url);
    }
  } catch (err) {
    await close();
    throw err;
  }
  const app = t;
  const fx = catalogFixtures(app.db);
  const orderOf = (sub: string) => latestOrder(app, sub);
  return {
    t: app,
    idp,
    gateway,
    receiver,
    fx,
    close,
    async buyerWith(lines, code) {
      const buyer = await loginAs(app.app, 'new');
      const products: Product[] = [];
      for (const l of lines) {
        const p = await makeProduct(fx.catalog, { price: l.price });
        products.push(p);
        const added = await buyer.browser.request('/cart', { form: { action: 'add', sku: p.sku, quantity: String(l.quantity) } });
        if (added.status !== 303) throw new Error(`adding ${p.sku} to the cart answered ${added.status}`);
      }
      if (code) {
        const applied = await buyer.browser.request('/cart/discount', { form: { action: 'apply', code } });
        if (!applied.location?.includes('discount_applied')) throw new Error(`the code ${code} was not applied: ${applied.location}`);
      }
      return { ...buyer, products };
    },
    orderOf,
    countOrders: async (sub) => (await app.db.kysely.selectFrom('orders').select('id').where('user_sub', '=', sub).execute()).length,
    async payAndSettle(sub) {
      const placed = await orderOf(sub);
      gateway.pay(placed.payment_ref!);
      for (let i = 0; i < 200 && (await orderOf(sub)).status === 'pending'; i++) await new Promise((r) => setTimeout(r, 25));
      return { order: await orderOf(sub), session: gateway.session(placed.payment_ref!) };
    },
  };
}

/** The checkout form's hidden fields (key, reviewed total, currency and code), as a browser submits them. */
export const hiddenFields = (body: string): Record<string, string> =>
  Object.fromEntries(
    [...body.matchAll(/<input type="hidden" name="(idempotencyKey|reviewedTotal|reviewedCurrency|reviewedCode)" value="([^"]*)"/g)].map(
      (m) => [m[1]!, m[2]!],
    ),
  );

/** The review page for these billing details (the "Update total" submit). */
export const review = (buyer: LoggedIn, billing: Record<string, string> = {}) =>
  buyer.browser.request(`/checkout?${new URLSearchParams(billing)}`);

/** Confirms a reviewed page with these billing details, as its form posts them. */
export const confirm = (buyer: LoggedIn, reviewed: string, billing: Record<string, string> = {}) =>
  buyer.browser.request('/checkout', { form: { ...hiddenFields(reviewed), ...billing } });

/** Reviews /checkout with these billing details and confirms it: the review page and the answer to the POST. */
export async function checkout(buyer: LoggedIn, billing: Record<string, string> = {}) {
  const page = await review(buyer, billing);
  return { page, res: await confirm(buyer, page.body, billing) };
}

/** Checkout's service over the CLI's services on this database, wired as the app does, for orders placed without HTTP; `extra` adds tax or discounts, or wraps the gateway. */
export function checkoutServices(
  db: Database,
  fx: CatalogFixtures,
  config: Config,
  extra: Pick<CheckoutDeps, 'tax' | 'discounts'> & Partial<Pick<CheckoutDeps, 'gateway'>> = {},
) {
  const shop = createCliServices({ config, db });
  const cart = createCartService({ db, catalog: fx.catalog });
  const checkout = createCheckoutService({
    db,
    cart,
    purchases: createPurchaseService({ db }),
    keyPool: fx.keyPool,
    orders: shop.orders,
    gateway: shop.gateway,
    payments: shop.orderPayments,
    ...extra,
    config,
  });
  return { shop, cart, checkout };
}
export type CheckoutServices = ReturnType<typeof checkoutServices>;
