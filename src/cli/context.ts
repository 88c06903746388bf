import { hostname, userInfo } from 'node:os';
import { createAdminCategoriesService } from '../admin/admin-categories.service.js';
import { createAdminDiscountsService } from '../admin/admin-discounts.service.js';
import { createAuditService, type AuditActor } from '../audit/audit.service.js';
import { createCartService } from '../cart/cart.service.js';
import { createCatalogService } from '../catalog/catalog.service.js';
import { createCategoriesService } from '../catalog/categories.service.js';
import { createContactService } from '../contact/contact.service.js';
import { createFulfilmentService } from '../fulfilment/fulfilment.service.js';
import { createProductFilesService } from '../fulfilment/product-files.service.js';
import { createStorage } from '../fulfilment/storage.js';
import { createKeyPoolService } from '../fulfilment/key-pool.service.js';
import { createKeySigner, loadSigningKey } from '../fulfilment/signed-key.js';
import { createOrdersService } from '../orders/orders.service.js';
import { createCreditNotesService } from '../orders/credit-notes.service.js';
import { createDonationsService } from '../donations/donations.service.js';
import { createDiscountsService } from '../discounts/discounts.service.js';
import { createOrderPayments } from '../payments/order-payments.js';
import { createPaymentEventsService } from '../payments/payment-events.service.js';
import { createPaymentGateway } from '../payments/payments.gateway.js';
import { createRefundService } from '../payments/refund.service.js';
import type { Config } from '../platform/config.js';
import { createSecretBox } from '../platform/crypto.js';
import type { Database } from '../platform/db/db.js';
import { createMailService } from '../platform/mail/mail.service.js';
import { createTaxService } from '../tax/tax.service.js';

/** Who the audit log names for a change made from the command line: the OS account and machine that ran it. */
export function cliActor(): AuditActor {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // A uid with no passwd entry (some containers) has no name: the log still says it was the command line.
    user = String(process.getuid?.() ?? 'unknown');
  }
  return { sub: 'cli', email: `command line (${user}@${hostname()})` };
}

/**
 * The store's services for owner commands, built from configuration as app.ts builds them, each
 * on first use: `keys count` never constructs a payment gateway, `messages list` no key signer.
 */
export function createCliServices({ config, db, clock = Date.now }: { config: Config; db: Database; clock?: () => number }) {
  const once = <T>(make: () => T) => {
    let value: T | undefined;
    return () => (value ??= make());
  };
  const secrets = once(() => createSecretBox(config.encryptionKey, config.previousEncryptionKeys));
  // Delivering orders that waited for keys may cross a pool's low-stock threshold: the owner's mail is queued as in the store.
  const keyPool = once(() =>
    createKeyPoolService({
      db,
      secrets: secrets(),
      clock,
      alerts: { mail: { enqueue: (m, tx) => mail().enqueue(m, tx) }, to: config.shopEmail, settings: config },
    }),
  );
  const catalog = once(() => createCatalogService({ db, keyPool: keyPool(), clock, imageHosts: config.images.hosts }));
  const categories = once(() => createCategoriesService({ db, clock }));
  const signer = once(() =>
    createKeySigner(loadSigningKey(config.licenseSigningKey), config.previousLicenseSigningKeys.map(loadSigningKey)),
  );
  const orders = once(() => createOrdersService({ db, clock, invoiceSeries: config.series.invoice }));
  const creditNotes = once(() => createCreditNotesService({ db, clock, series: config.series.creditNote }));
  const fulfilment = once(() =>
    createFulfilmentService({ db, keyPool: keyPool(), signer: signer(), secrets: secrets(), clock, defaults: config.downloadDefaults }),
  );
  const gateway = once(() => createPaymentGateway(config, clock));
  const mail = once(() => createMailService({ db, smtpUrl: config.smtpUrl, from: config.mailFrom, clock }));
  const orderPayments = once(() =>
    createOrderPayments({
      db,
      orders: orders(),
      fulfilment: fulfilment(),
      keyPool: keyPool(),
      cart: createCartService({ db, catalog: catalog(), clock }),
      mail: mail(),
      config,
      clock,
      creditNotes: creditNotes(),
      discounts: discounts(),
    }),
  );
  const discounts = once(() => createDiscountsService({ db, clock, catalog: catalog(), categories: categories() }));
  const donations = once(() => createDonationsService({ db, gateway: gateway(), mail: mail(), config, clock }));
  // Owner commands read payment events; the webhook that applies them runs in the store.
  const paymentEvents = once(() =>
    createPaymentEventsService({ db, gateway: gateway(), payables: { order: orderPayments(), donation: donations().payable }, clock }),
  );
  const refunds = once(() =>
    createRefundService({
      db,
      gateway: gateway(),
      orders: orders(),
      fulfilment: fulfilment(),
      mail: mail(),
      config,
      creditNotes: creditNotes(),
    }),
  );
  const productFiles = once(() => createProductFilesService({ db, storage: createStorage(config.storage), clock }));
  const contact = once(() => createContactService({ db, mail: mail(), shopEmail: config.shopEmail, shopName: config.shopName, clock }));
  // Owner changes are recorded as in the store: the admin services the browser uses, with the command line as actor.
  const audit = once(() => createAuditService({ db, clock }));
  const tax = once(() => createTaxService({ db, config, clock, audit: audit() }));
  const adminDiscounts = once(() => createAdminDiscountsService({ discounts: discounts(), audit: audit() }));
  const adminCategories = once(() => createAdminCategoriesService({ categories: categories(), audit: audit() }));
  return {
    db,
    config,
    clock,
    get tax() {
      return tax();
    },
    get secrets() {
      return secrets();
    },
    get keyPool() {
      return keyPool();
    },
    get catalog() {
      return catalog();
    },
    get categories() {
      return categories();
    },
    get orders() {
      return orders();
    },
    get fulfilment() {
      return fulfilment();
    },
    get gateway() {
      return gateway();
    },
    get paymentEvents() {
      return paymentEvents();
    },
    get orderPayments() {
      return orderPayments();
    },
    get donations() {
      return donations();
    },
    get discounts() {
      return discounts();
    },
    get refunds() {
      return refunds();
    },
    get contact() {
      return contact();
    },
    get productFiles() {
      return productFiles();
    },
    get audit() {
      return audit();
    },
    get adminDiscounts() {
      return adminDiscounts();
    },
    get adminCategories() {
      return adminCategories();
    },
  };
}

export type CliServices = ReturnType<typeof createCliServices>;
