import type { Database } from '../src/platform/db/db.js';
import { createTaxRepo } from '../src/tax/tax.repo.js';
import type { TaxRateRow } from '../src/tax/tax.rules.js';
import { SHIPPED_RATES } from './gateway/gateway.tax.js';

/**
 * The store's rates table for the development gateway's automatic tax (TAX_PROVIDER=stripe), read
 * again every `everyMs`, so an owner's edits in /admin/tax reach the gateway as they reach checkout
 * and the two compute the same tax. The shipped EU rates until a read succeeds (the store migrates
 * first); a failed read keeps the rows of the last good one.
 */
export function followStoreRates(db: Database, everyMs = 5_000) {
  const repo = createTaxRepo(db);
  let rows: readonly TaxRateRow[] = SHIPPED_RATES;
  const refresh = () =>
    repo.all().then(
      (read) => {
        rows = read;
      },
      () => undefined,
    );
  const timer = setInterval(() => void refresh(), everyMs);
  timer.unref();
  return {
    /** the rows as last read, for `startDevGateway({ taxRates })` */
    taxRates: (): readonly TaxRateRow[] => rows,
    /** reads the table now */
    refresh,
    stop: () => clearInterval(timer),
  };
}
