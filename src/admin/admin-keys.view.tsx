import type { ViewContext } from '../pages/view-context.js';
import type { KeyProblem } from '../fulfilment/key-file.js';
import { plural } from '../platform/plural.js';
import { AdminFrame, When } from './admin-frame.view.js';
import type { AdminKeysPage } from './admin-stock.service.js';

/** What the keys page says after a redirect or a refused form. */
export interface KeysPageState {
  imported?: number | null;
  delivered?: number | null;
  thresholdSaved?: boolean;
  /** the threshold as typed, and why it was refused */
  threshold?: { value: string; error: string };
  /** a refused import: the message and every bad line (the pasted text is kept, the keys are never echoed elsewhere) */
  importError?: { message: string; lines: KeyProblem[]; pasted: string };
}

/** The breadcrumb back to the product list and the product's form. */
export function ProductCrumbs({ sku, name }: { sku: string; name: string }) {
  return (
    <nav class="admin-crumbs" aria-label="Breadcrumb">
      <a href="/admin/products">Products</a> › <a href={`/admin/products/${encodeURIComponent(sku)}/edit`}>{name}</a>
    </nav>
  );
}

/** On a product's form: the way to its key pool or its files. */
export function StockLink({ sku, type }: { sku: string; type: string }) {
  const base = `/admin/products/${encodeURIComponent(sku)}`;
  if (type === 'key_lim')
    return (
      <p class="admin-stock-link">
        <a href={`${base}/keys`}>Key pool: counts, import and low-stock alert</a>
      </p>
    );
  if (type === 'file')
    return (
      <p class="admin-stock-link">
        <a href={`${base}/files`}>Files buyers download: upload, replace, remove</a>
      </p>
    );
  return null;
}

/** GET /admin/products/:sku/keys: a key_lim product's pool counts, its low-stock threshold and the import form. */
export function AdminKeysPage({ ctx, page, state = {} }: { ctx: ViewContext; page: AdminKeysPage; state?: KeysPageState }) {
  const { product, counts, lowStock } = page;
  const base = `/admin/products/${encodeURIComponent(product.sku)}/keys`;
  const low = counts.available <= lowStock.threshold;
  const thresholdError = state.threshold?.error;
  const importError = state.importError;
  return (
    <AdminFrame ctx={ctx} title={`Keys of ${product.sku}`} section="products">
      <ProductCrumbs sku={product.sku} name={product.name} />
      {state.imported != null && (
        <p class="notice success" role="status">
          Imported {plural(state.imported, { one: 'key', other: 'keys' })}.
          {state.delivered ? ` ${plural(state.delivered, { one: 'order', other: 'orders' })} waiting for keys delivered.` : ''}
        </p>
      )}
      {state.thresholdSaved && (
        <p class="notice success" role="status">
          Low-stock threshold saved.
        </p>
      )}
      <section class="admin-panel" aria-labelledby="pool-heading">
        <h2 id="pool-heading">Pool</h2>
        <dl class="pool-counts">
          <div class={low ? 'low' : undefined} data-count="available">
            <dt>Available</dt>
            <dd>{counts.available}</dd>
          </div>
          <div data-count="reserved">
            <dt>Reserved</dt>
            <dd>{counts.reserved}</dd>
          </div>
          <div data-count="sold">
            <dt>Sold</dt>
            <dd>{counts.sold}</dd>
          </div>
          <div data-count="revoked">
            <dt>Revoked</dt>
            <dd>{counts.revoked}</dd>
          </div>
        </dl>
        <p class="field-hint">Reserved keys are held by orders being paid; revoked keys were refunded and are never sold again.</p>
      </section>

      <section class="admin-panel" aria-labelledby="threshold-heading">
        <h2 id="threshold-heading">Low-stock alert</h2>
        <p>
          {lowStock.notifiedAt !== null ? (
            <>
              Mail sent <When ms={lowStock.notifiedAt} />; the next one comes after the pool has been above the threshold again.
            </>
          ) : (
            'When a sale leaves the pool at or below the threshold, the shop’s address gets one mail.'
          )}
        </p>
        <form class="admin-inline-form" method="post" action={`${base}/threshold`} novalidate>
          <div class={thresholdError ? 'field invalid' : 'field'}>
            <label for="low-stock-threshold">Threshold (keys)</label>
            <p class="field-hint" id="low-stock-threshold-hint">
              {lowStock.own === null
                ? `None set: the shop’s default of ${lowStock.threshold} applies.`
                : `Leave empty for the shop’s default of ${lowStock.shopDefault}.`}{' '}
              0 mails only when the pool is sold out.
            </p>
            <input
              id="low-stock-threshold"
              type="number"
              name="threshold"
              min={0}
              max={100000}
              step={1}
              inputMode="numeric"
              value={state.threshold?.value ?? (lowStock.own === null ? '' : String(lowStock.own))}
              aria-invalid={thresholdError ? 'true' : undefined}
              aria-describedby={thresholdError ? 'low-stock-threshold-hint low-stock-threshold-error' : 'low-stock-threshold-hint'}
            />
            {thresholdError && (
              <p class="field-error" id="low-stock-threshold-error">
                {thresholdError}
              </p>
            )}
          </div>
          <button type="submit">Save threshold</button>
        </form>
      </section>

      <section class="admin-panel" aria-labelledby="import-heading">
        <h2 id="import-heading">Import keys</h2>
        {importError && (
          <div class="notice error" role="alert" id="import-error">
            <p>{importError.message}</p>
            {importError.lines.length > 0 && (
              <ul class="import-problems">
                {importError.lines.slice(0, 200).map((p) => (
                  <li data-line={p.line}>{p.text}</li>
                ))}
                {importError.lines.length > 200 && <li>… and {importError.lines.length - 200} more.</li>}
              </ul>
            )}
          </div>
        )}
        <form class="admin-key-import" method="post" action={base} enctype="multipart/form-data" novalidate>
          <div class={importError ? 'field invalid' : 'field'}>
            <label for="import-keys">Paste keys</label>
            <p class="field-hint" id="import-keys-hint">
              One key per line; blank lines and lines starting with # are skipped. If any line is refused, no key is imported.
            </p>
            <textarea
              id="import-keys"
              name="keys"
              rows={8}
              spellcheck={false}
              autocomplete="off"
              aria-invalid={importError ? 'true' : undefined}
              aria-describedby={importError ? 'import-keys-hint import-error' : 'import-keys-hint'}
            >
              {importError?.pasted ?? ''}
            </textarea>
          </div>
          <div class="field">
            <label for="import-file">Or upload a .txt file</label>
            <input id="import-file" type="file" name="file" accept=".txt,text/plain" />
          </div>
          <div class="form-actions">
            <button type="submit">Import keys</button>
          </div>
        </form>
      </section>
    </AdminFrame>
  );
}
