import rateLimit from '@fastify/rate-limit';
import { accountRoutes } from './account/account.routes.js';
import { adminRoutes } from './admin/admin.routes.js';
import { createAdminService } from './admin/admin.service.js';
import { createAdminProductsService } from './admin/admin-products.service.js';
import { createAdminImagesService } from './admin/admin-images.service.js';
import { createAdminStockService } from './admin/admin-stock.service.js';
import { createAdminCategoriesService } from './admin/admin-categories.service.js';
import { createAdminCustomersService } from './admin/admin-customers.service.js';
import { createAdminDonationsService } from './admin/admin-donations.service.js';
import { createAdminMessagesService } from './admin/admin-messages.service.js';
import { createAdminDiscountsService } from './admin/admin-discounts.service.js';
import { createCategoriesService } from './catalog/categories.service.js';
import { createCustomersService } from './orders/customers.service.js';
import { createAdminOrderActionsService } from './admin/admin-order-actions.service.js';
import { createRefundService } from './payments/refund.service.js';
import { createAdminExportsService } from './admin/admin-exports.service.js';
import { createAdminReportsService } from './admin/admin-reports.service.js';
import { createSalesService } from './orders/sales.service.js';
import { createAuditService } from './audit/audit.service.js';
import { createTaxService } from './tax/tax.service.js';
import { createAccountService } from './account/account.service.js';
import { authPlugin, authViewSources, hasNoCookieAuthority, requireOwner, requireUser } from './auth/auth.plugin.js';
import { authCookies } from './auth/auth.cookies.js';
import { authRoutes } from './auth/auth.routes.js';
import { createCartOwners, guestCartCookie } from './cart/cart.owner.js';
import { cartCountSource, cartRoutes } from './cart/cart.routes.js';
import { createCartService } from './cart/cart.service.js';
import { createAuthService } from './auth/auth.service.js';
import { createOidcClient } from './auth/oidc.client.js';
import { createSessionService } from './auth/session.service.js';
import { createTokenVerifier } from './auth/token-verifier.js';
import { catalogRoutes } from './catalog/catalog.routes.js';
import { mediaRoutes } from './catalog/media.routes.js';
import { createProductImagesService } from './catalog/product-images.service.js';
import { createPurchaseService } from './catalog/purchase.service.js';
import { checkoutRoutes } from './checkout/checkout.routes.js';
import { createCheckoutService } from './checkout/checkout.service.js';
import type { CheckoutDiscounts, CheckoutTax } from './checkout/checkout.types.js';
import { unpaidOrdersRoutes } from './checkout/unpaid-orders.routes.js';
import { createUnpaidOrdersService } from './checkout/unpaid-orders.service.js';
import { createFulfilmentService } from './fulfilment/fulfilment.service.js';
import { licensesRoutes } from './licenses/licenses.routes.js';
import { createLicensesService } from './licenses/licenses.service.js';
import { orderPageRoutes } from './order-page/order-page.routes.js';
import { createOrderPageService } from './order-page/order-page.service.js';
import { ordersRoutes } from './orders/orders.routes.js';
import { createOrdersService } from './orders/orders.service.js';
import { createCreditNotesService } from './orders/credit-notes.service.js';
import { createOrderPayments } from './payments/order-payments.js';
import { createPaymentEventsService } from './payments/payment-events.service.js';
import { createPaymentGateway } from './payments/payments.gateway.js';
import { createPaymentReconciler, type ReconcileReport } from './payments/payment-reconciler.js';
import { paymentsRoutes } from './payments/payments.routes.js';
import { createCatalogService } from './catalog/catalog.service.js';
import { createCartDiscounts } from './discounts/discounts.cart.js';
import { createDiscountsService } from './discounts/discounts.service.js';
import { fulfilmentRoutes } from './fulfilment/fulfilment.routes.js';
import { createKeyPoolService } from './fulfilment/key-pool.service.js';
import { createKeySigner, loadSigningKey } from './fulfilment/signed-key.js';
import { createDownloadTokens } from './fulfilment/download-token.js';
import { downloadsRoutes } from './fulfilment/downloads.routes.js';
import { createDownloadsService, downloadLinkKey } from './fulfilment/downloads.service.js';
import { createProductFilesService } from './fulfilment/product-files.service.js';
import { createStorage, downloadOrigin } from './fulfilment/storage.js';
import { contactRoutes } from './contact/contact.routes.js';
import { createContactService } from './contact/contact.service.js';
import { donationsRoutes } from './donations/donations.routes.js';
import { createDonationsService } from './donations/donations.service.js';
import { contentRoutes } from './pages/content.routes.js';
import { createContentService } from './pages/content.service.js';
import { htmlErrorRenderer, pagesPlugin } from './pages/pages.plugin.js';
import { staticAssets } from './platform/assets.js';
import type { Config } from './platform/config.js';
import type { Database } from './platform/db/db.js';
import { createSecretBox } from './platform/crypto.js';
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

  // Services
  const secrets = createSecretBox(config.encryptionKey, config.previousEncryptionKeys);
  const keyPool = createKeyPoolService({
    db,
    secrets,
    clock,
    shownStock: caches.shownStock,
    alerts: { mail, to: config.shopEmail, settings: config },
  });
  // Previous signing keys still verify keys issued before a rotation (`keys rotate-signing`).
  const signer = createKeySigner(loadSigningKey(config.licenseSigningKey), config.previousLicenseSigningKeys.map(loadSigningKey));
  const catalog = createCatalogService({ db, keyPool, clock, caches: caches.catalog, imageHosts: config.images.hosts });
  const cart = createCartService({ db, catalog, clock, countCaches: caches.cartCounts });
  const cartOwners = createCartOwners({ config, cart });
  const discounts = createDiscountsService({
    db,
    clock,
    catalog,
    categories: createCategoriesService({ db, clock, caches: caches.catalog }),
  });
  const content = createContentService({ contentDir: config.contentDir, cache: caches.content });
  const oidc = createOidcClient(config);
  const verifier = createTokenVerifier({
    issuer: config.oidc.issuer,
    audience: config.oidc.audience,
    jwksUri: () => oidc.jwksUri(),
    idToken: { clientId: config.oidc.clientId, algorithms: () => oidc.idTokenAlgorithms() },
    clock,
  });
  const sessions = createSessionService({ db, secrets, clock, config, oidc, verifier, log: app.log, cacheMs: sessionCacheMs });
  const auth = createAuthService({ db, secrets, clock, config, oidc, verifier, sessions, log: app.log });
  const account = createAccountService({ config, sessions });
  const purchases = createPurchaseService({ db });
  const orders = createOrdersService({ db, clock, log: app.log, invoiceSeries: config.series.invoice });
  const creditNotes = createCreditNotesService({ db, clock, series: config.series.creditNote });
  const fulfilment = createFulfilmentService({ db, keyPool, signer, secrets, clock, defaults: config.downloadDefaults });
  const productFiles = createProductFilesService({ db, storage, clock });
  const downloadTokens = createDownloadTokens(downloadLinkKey(config.sessionSecret));
  const downloads = createDownloadsService({
    db,
    storage,
    productFiles,
    orders,
    tokens: downloadTokens,
    clock,
    ...config.downloads,
    log: app.log,
  });
  const gateway = createPaymentGateway(config, clock);
  const licenses = createLicensesService({ db, secrets, orders, fulfilment, clock });
  const orderPages = createOrderPageService({ orders, fulfilment, productFiles, licenses, creditNotes, clock });
  const donations = createDonationsService({ db, gateway, mail, config, clock, log: app.log });
  const orderPayments = createOrderPayments({ db, orders, fulfilment, keyPool, cart, mail, config, clock, discounts, creditNotes });
  const payables = { order: orderPayments, donation: donations.payable };
  const paymentEvents = createPaymentEventsService({ db, gateway, payables, clock, log: app.log });
  const reconciler = createPaymentReconciler({ db, gateway, payables, clock, log: app.log });
  const audit = createAuditService({ db, clock });
  const tax = createTaxService({ db, config, clock, audit });
  const checkout = createCheckoutService({
    db,
    cart,
    purchases,
    keyPool,
    orders,
    gateway,
    payments: orderPayments,
    tax: checkoutDomains.tax ?? tax,
    discounts: checkoutDomains.discounts ?? discounts,
    config: { ...config, homeCountry: config.tax.sellerCountry ?? undefined, taxProvider: config.tax.provider },
    clock,
    log: app.log,
  });
  const unpaidOrders = createUnpaidOrdersService({
    db,
    orders,
    keyPool,
    gateway,
    payments: orderPayments,
    discounts: checkoutDomains.discounts ?? discounts,
    config,
    clock,
    log: app.log,
  });
  const contact = createContactService({ db, mail, shopEmail: config.shopEmail, shopName: config.shopName, clock });
  const admin = createAdminService({ orders, paymentEvents, fulfilment, catalog, keyPool, mail, creditNotes, clock });
  const adminProducts = createAdminProductsService({ catalog, audit });
  const productImages = createProductImagesService({ db, storage, caches: caches.catalog, clock, imageHosts: config.images.hosts });
  const adminImages = createAdminImagesService({ images: productImages, audit, maxBytes: config.images.maxBytes });
  const fulfilWaitingFor = (productId: number) => orderPayments.fulfilWaitingFor(productId);
  const stock = createAdminStockService({ db, catalog, keyPool, productFiles, audit, fulfilWaitingFor, fileMaxBytes: config.fileMaxBytes });
  const adminShop = {
    categories: createAdminCategoriesService({ categories: createCategoriesService({ db, clock, caches: caches.catalog }), audit }),
    customers: createAdminCustomersService({ customers: createCustomersService({ db }) }),
    donations: createAdminDonationsService({ donations, audit }),
    messages: createAdminMessagesService({ contact, audit }),
  };
  const refunds = createRefundService({ db, gateway, orders, fulfilment, mail, config, creditNotes });
  const orderActions = createAdminOrderActionsService({ orders, refunds, payments: orderPayments, fulfilment, audit });
  const sales = createSalesService({ db });
  const reports = {
    reports: createAdminReportsService({ sales, donations, currency: config.donations.currency, clock }),
    exports: createAdminExportsService({ sales }),
    clock,
  };
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
    discounts: createAdminDiscountsService({ discounts, audit }),
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
    };
  }
}
