import rateLimit from '@fastify/rate-limit';
import { accountRoutes } from './account/account.routes.js';
import { adminRoutes } from './admin/admin.routes.js';
import { authPlugin, authViewSources, hasNoCookieAuthority, requireOwner, requireUser } from './auth/auth.plugin.js';
import { authCookies } from './auth/auth.cookies.js';
import { authRoutes } from './auth/auth.routes.js';
import { guestCartCookie } from './cart/cart.owner.js';
import { cartCountSource, cartRoutes } from './cart/cart.routes.js';
import { catalogRoutes } from './catalog/catalog.routes.js';
import { mediaRoutes } from './catalog/media.routes.js';
import { checkoutRoutes } from './checkout/checkout.routes.js';
import type { CheckoutDiscounts, CheckoutTax } from './checkout/checkout.types.js';
import { unpaidOrdersRoutes } from './checkout/unpaid-orders.routes.js';
import { licensesRoutes } from './licenses/licenses.routes.js';
import { orderPageRoutes } from './order-page/order-page.routes.js';
import { ordersRoutes } from './orders/orders.routes.js';
import { type ReconcileReport } from './payments/payment-reconciler.js';
import { paymentsRoutes } from './payments/payments.routes.js';
import { createCartDiscounts } from './discounts/discounts.cart.js';
import { fulfilmentRoutes } from './fulfilment/fulfilment.routes.js';
import { downloadsRoutes } from './fulfilment/downloads.routes.js';
import { createStorage, downloadOrigin } from './fulfilment/storage.js';
import { contactRoutes } from './contact/contact.routes.js';
import { donationsRoutes } from './donations/donations.routes.js';
import { contentRoutes } from './pages/content.routes.js';
import { htmlErrorRenderer, pagesPlugin } from './pages/pages.plugin.js';
import { staticAssets } from './platform/assets.js';
import type { Config } from './platform/config.js';
import type { Database } from './platform/db/db.js';
import { createMailService, type MailService } from './platform/mail/mail.service.js';
import { installErrorHandlers } from './platform/error-handler.js';
import { healthRoutes } from './platform/health.routes.js';
import { crossOriginProtection } from './platform/cross-origin.js';
import { createMetrics, metricsPlugin } from './platform/metrics.js';
import { pageCachePlugin } from './platform/page-cache.js';
import { rateLimitOptions } from './platform/redis.js';
import { renderPlugin } from './platform/render.js';
import { securityHeaders } from './platform/security.js';
import type { LogStream } from './platform/logging.js';
import { createServer } from './platform/server.js';
import { createCaches, type Caches } from './caches.js';
import { createServices } from './services.js';

export interface AppDeps {
  config: Config;
  db: Database;
  /** Current time in epoch ms; tests pass their own. */
  clock?: () => number;
  /** Outgoing mail; main.ts runs its worker. Built from config when not given. */
  mail?: MailService;
  /** Log lines go here instead of stdout (tests read them). */
  logStream?: LogStream;
  /** Every in-memory cache; tests pass their own to share them with the services they write through. */
  caches?: Caches;
  /** How long an instance keeps a session it read (start.ts: SESSION_CACHE_MS); none by default, so a test sees its own writes to the table. */
  sessionCacheMs?: number;
  /** The tax and discounts domains checkout prices with; the store's own when absent (tests stand in for them). */
  checkoutDomains?: { tax?: CheckoutTax; discounts?: CheckoutDiscounts };
}

/** The whole store: platform plugins first, then each domain, in the order a reader expects. */
export async function buildApp({
  config,
  db,
  clock = Date.now,
  mail = createMailService({ db, smtpUrl: config.smtpUrl, from: config.mailFrom, clock }),
  logStream,
  caches = createCaches({ clock }),
  sessionCacheMs = 0,
  checkoutDomains = {},
}: AppDeps) {
  const app = await createServer(config, logStream);
  // Before any plugin: an encapsulated plugin keeps the error handler it was registered under.
  installErrorHandlers(app, htmlErrorRenderer(config, caches.fragments));

  // Platform
  // Forms that end in a redirect to the identity provider (logout, registration) need its origin in form-action.
  const idpOrigins = [...new Set([config.oidc.issuer, config.oidc.registrationUrl ?? config.oidc.issuer].map((u) => new URL(u).origin))];
  // POST /checkout answers with a redirect to the gateway's payment page; a download from S3 ends in
  // a redirect to the bucket's origin.
  const storage = createStorage(config.storage);
  const filesOrigin = await downloadOrigin(storage);
  await app.register(securityHeaders, {
    config,
    formActionOrigins: [...idpOrigins, config.payments.checkoutOrigin, ...(filesOrigin ? [filesOrigin] : [])],
  });
  // Cross-site request forgery: refused by what the browser says about the request, no tokens in pages.
  await app.register(crossOriginProtection, { publicUrl: config.publicUrl, exempt: hasNoCookieAuthority });
  // Pages the same for every visitor, answered whole to those carrying none of the store's cookies.
  const visitorCookies = [...Object.values(authCookies(config)).map((c) => c.name), guestCartCookie(config).name];
  // A kept page is checked against the pools' shown stock on every hit (the catalog service is built below).
  await app.register(pageCachePlugin, { cache: caches.pages, visitorCookies, stockNow: (ids) => catalog.shownStockNow(ids) });
  await app.register(renderPlugin);
  await app.register(staticAssets);
  await app.register(healthRoutes, { db });
  // Per-route limits only (`config: { rateLimit: {...} }`); in Redis when REDIS_URL is set, so they hold across instances.
  await app.register(rateLimit, await rateLimitOptions(app, config.redisUrl));

  const {
    signer,
    catalog,
    cart,
    cartOwners,
    discounts,
    content,
    sessions,
    auth,
    account,
    orders,
    creditNotes,
    downloads,
    licenses,
    orderPages,
    donations,
    paymentEvents,
    reconciler,
    audit,
    tax,
    checkout,
    unpaidOrders,
    contact,
    admin,
    adminProducts,
    productImages,
    adminImages,
    stock,
    adminShop,
    orderActions,
    reports,
    adminDiscounts,
  } = createServices({ config, db, clock, mail, caches, storage, log: app.log, sessionCacheMs, checkoutDomains });
  // Prometheus metrics only with a token (/metrics is a 404 otherwise).
  const metrics = config.metricsToken
    ? createMetrics({
        countOrdersByStatus: () => orders.countByStatus(),
        countOutboxBacklog: () => mail.countBacklog(),
        statementCount: () => db.statementCount(),
      })
    : null;
  if (metrics) await app.register(metricsPlugin, { metrics, token: config.metricsToken! });

  // Domains
  await app.register(authPlugin, { config, sessions });
  await app.register(pagesPlugin, {
    config,
    fragments: caches.fragments,
    sources: { navCategories: () => catalog.listNavCategories(), ...authViewSources, cartCount: cartCountSource(cart, cartOwners) },
  });
  await app.register(authRoutes, {
    config,
    auth,
    sessions,
    clock,
    onLogin: (request, reply, sub) => cartOwners.mergeAtLogin(request, reply, sub),
  });
  await app.register(accountRoutes, { account });
  await app.register(contentRoutes, { content });
  await app.register(contactRoutes, {
    contact,
    currentUserSub: (request) => request.user?.sub ?? null,
    rateLimit: { max: 5, timeWindow: 10 * 60_000 },
  });
  await app.register(donationsRoutes, {
    donations,
    donor: (r) => (r.user ? { sub: r.user.sub, email: r.user.email } : null),
    rateLimit: { max: 10, timeWindow: 10 * 60_000 },
  });
  await app.register(cartRoutes, { cart, owners: cartOwners, discounts: createCartDiscounts(discounts, clock) });
  await app.register(checkoutRoutes, {
    checkout,
    requireUser,
    buyer: (r) => ({ sub: r.user!.sub, email: r.user!.email, name: r.user!.name }),
  });
  await app.register(unpaidOrdersRoutes, { unpaidOrders, requireUser, buyer: (r) => ({ sub: r.user!.sub, email: r.user!.email }) });
  await app.register(paymentsRoutes, {
    payments: paymentEvents,
    onWebhookOutcome: metrics ? (outcome: string) => metrics.recordWebhook(outcome) : undefined,
  });
  await app.register(ordersRoutes, {
    orders,
    creditNotes,
    seller: config.seller,
    requireUser,
    userSub: (r) => r.user!.sub,
  });
  await app.register(orderPageRoutes, { orderPages, requireUser, userSub: (r) => r.user!.sub });
  await app.register(adminRoutes, {
    admin,
    requireOwner,
    products: adminProducts,
    audit,
    images: adminImages,
    stock,
    shop: adminShop,
    orderActions,
    reports,
    tax,
    discounts: adminDiscounts,
  });
  await app.register(mediaRoutes, { images: productImages });
  await app.register(catalogRoutes, { catalog });
  await app.register(fulfilmentRoutes, { signer });
  await app.register(licensesRoutes, {
    licenses,
    limits: config.licenseApi,
    publicUrl: config.publicUrl,
    requireUser,
    userSub: (r) => r.user!.sub,
  });
  await app.register(downloadsRoutes, { downloads, requireUser, userSub: (r) => r.user!.sub });
  app.decorate('jobs', {
    expireStaleOrders: () => checkout.expireStaleOrders(),
    reconcilePayments: () => reconciler.reconcile(),
    pruneDownloadTransfers: () => downloads.pruneTransfers(),
  });
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Background work main.ts schedules (one instance or many: each job is safe to run concurrently). */
    jobs: {
      expireStaleOrders(): Promise<number>;
      /** Settles payments whose webhooks never arrived (see payment-reconciler.ts). */
      reconcilePayments(): Promise<ReconcileReport>;
      /** Deletes download transfers no link can use any more; returns how many went. */
      pruneDownloadTransfers(): Promise<number>;
    };
  }
}
