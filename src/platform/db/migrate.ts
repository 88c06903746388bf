import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { Database, Dialect } from './db.js';
import { initialSchema } from './migrations/001-initial-schema.js';
import { productSearch } from './migrations/002-product-search.js';
import { authSessions } from './migrations/003-auth-sessions.js';
import { orderItemTerms } from './migrations/004-order-item-terms.js';
import { donationPaymentIntent } from './migrations/006-donation-payment-intent.js';
import { ownerLookups } from './migrations/007-owner-lookups.js';
import { catalogCards } from './migrations/008-catalog-cards.js';
import { donationAttention } from './migrations/009-donation-attention.js';
import { cardUpdatedAt } from './migrations/010-card-updated-at.js';
import { downloadTransfers } from './migrations/011-download-transfers.js';
import { orderNumbers } from './migrations/012-order-numbers.js';
import { searchWords } from './migrations/013-search-words.js';
import { ownerAudit } from './migrations/014-owner-audit.js';
import { ownerProductList } from './migrations/015-owner-product-list.js';
import { productImageFiles } from './migrations/016-product-image-files.js';
import { stockAlerts } from './migrations/017-stock-alerts.js';
import { ownerCatalogBuyersMessages } from './migrations/018-owner-catalog-buyers-messages.js';
import { orderFilters } from './migrations/019-order-filters.js';
import { salesReports } from './migrations/020-sales-reports.js';
import { taxDiscountsCreditNotes } from './migrations/021-tax-discounts-credit-notes.js';
import { invoiceSeriesNumbers } from './migrations/025-invoice-series-numbers.js';

/** Every migration in order; each is given the dialect so the few differences sit side by side. */
const migrations: Record<string, (dialect: Dialect) => Migration> = {
  '001-initial-schema': initialSchema,
  '002-product-search': productSearch,
  '003-auth-sessions': authSessions,
  '004-order-item-terms': orderItemTerms,
  '006-donation-payment-intent': donationPaymentIntent,
  '007-owner-lookups': ownerLookups,
  '008-catalog-cards': catalogCards,
  '009-donation-attention': donationAttention,
  '010-card-updated-at': cardUpdatedAt,
  '011-download-transfers': downloadTransfers,
  '012-order-numbers': orderNumbers,
  '013-search-words': searchWords,
  '014-owner-audit': ownerAudit,
  '015-owner-product-list': ownerProductList,
  '016-product-image-files': productImageFiles,
  '017-stock-alerts': stockAlerts,
  '018-owner-catalog-buyers-messages': ownerCatalogBuyersMessages,
  '019-order-filters': orderFilters,
  '020-sales-reports': salesReports,
  '021-tax-discounts-credit-notes': taxDiscountsCreditNotes,
  '025-invoice-series-numbers': invoiceSeriesNumbers,
};

/** Brings the database to the latest schema; throws with the failing migration's error. */
export async function migrateToLatest(db: Database): Promise<void> {
  const provider: MigrationProvider = {
    getMigrations: async () => Object.fromEntries(Object.entries(migrations).map(([name, make]) => [name, make(db.dialect)])),
  };
  const { error } = await new Migrator({
    db: db.kysely,
    provider,
    ...(db.schema ? { migrationTableSchema: db.schema } : {}),
  }).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error('A migration failed.', { cause: error });
}
