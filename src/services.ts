/**
 * The store's services, built as app.ts wires them: each domain's factory given the services it
 * calls, in dependency order, so app.ts is left with the plugins and the route list.
 */
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
import { createCartOwners } from './cart/cart.owner.js';
import { createCartService } from './cart/cart.service.js';
import { createAuthService } from './auth/auth.service.js';
import { createOidcClient } from './auth/oidc.client.js';
import { createSessionService } from './auth/session.service.js';
import { createTokenVerifier } from './auth/token-verifier.js';
import { createProductImagesService } from './catalog/product-images.service.js';
import { createPurchaseService } from './catalog/purchase.service.js';
import { createCheckoutService } from './checkout/checkout.service.js';
import { createUnpaidOrdersService } from './checkout/unpaid-orders.service.js';
import { createFulfilmentService } from './fulfilment/fulfilment.service.js';
import { createLicensesService } from './licenses/licenses.service.js';
import { createOrderPageService } from './order-page/order-page.service.js';
import { createOrdersService } from './orders/orders.service.js';
import { createCreditNotesService } from './orders/credit-notes.service.js';
import { createOrderPayments } from './payments/order-payments.js';
import { createPaymentEventsService } from './payments/payment-events.service.js';
import { createPaymentGateway } from './payments/payments.gateway.js';
import { createPaymentReconciler } from './payments/payment-reconciler.js';
import { createCatalogService } from './catalog/catalog.service.js';
import { createDiscountsService } from './discounts/discounts.service.js';
import { createKeyPoolService } from './fulfilment/key-pool.service.js';
import { createKeySigner, loadSigningKey } from './fulfilment/signed-key.js';
import { createDownloadTokens } from './fulfilment/download-token.js';
import { createDownloadsService, downloadLinkKey } from './fulfilment/downloads.service.js';
import { createProductFilesService } from './fulfilment/product-files.service.js';
import { createContactService } from './contact/contact.service.js';
import { createDonationsService } from './donations/donations.service.js';
import { createContentService } from './pages/content.service.js';
import { createSecretBox } from './platform/crypto.js';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './platform/config.js';
import type { Database } from './platform/db/db.js';
import type { MailService } from './platform/mail/mail.service.js';
import type { Caches } from './caches.js';
import type { FileStorage } from './fulfilment/storage.js';
import type { CheckoutDiscounts, CheckoutTax } from './checkout/checkout.types.js';

export interface ServiceDeps {
  config: Config;
  db: Database;
  clock: () => number;
  mail: MailService;
  caches: Caches;
  storage: FileStorage;
  log: FastifyBaseLogger;
  sessionCacheMs: number;
  checkoutDomains: { tax?: CheckoutTax; discounts?: CheckoutDiscounts };
}

/** Every domain's service, each given the others it calls: built once per app, in dependency order. */
export function createServices({ config, db, clock, mail, caches, storage, log, sessionCacheMs, checkoutDomains }: ServiceDeps) {
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
  const sessions = createSessionService({ db, secrets, clock, config, oidc, verifier, log, cacheMs: sessionCacheMs });
  const auth = createAuthService({ db, secrets, clock, config, oidc, verifier, sessions, log });
  const account = createAccountService({ config, sessions });
  const purchases = createPurchaseService({ db });
  const orders = createOrdersService({ db, clock, log, invoiceSeries: config.series.invoice });
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
    log,
  });
  const gateway = createPaymentGateway(config, clock);
  const licenses = createLicensesService({ db, secrets, orders, fulfilment, clock });
  const orderPages = createOrderPageService({ orders, fulfilment, productFiles, licenses, creditNotes, clock });
  const donations = createDonationsService({ db, gateway, mail, config, clock, log });
  const orderPayments = createOrderPayments({ db, orders, fulfilment, keyPool, cart, mail, config, clock, discounts, creditNotes });
  const payables = { order: orderPayments, donation: donations.payable };
  const paymentEvents = createPaymentEventsService({ db, gateway, payables, clock, log });
  const reconciler = createPaymentReconciler({ db, gateway, payables, clock, log });
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
    log,
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
    log,
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
  const adminDiscounts = createAdminDiscountsService({ discounts, audit });
  return {
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
  };
}

export type Services = ReturnType<typeof createServices>;
