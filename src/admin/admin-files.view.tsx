import type { ViewContext } from '../pages/view-context.js';
import { formatSize as formatBytes } from '../fulfilment/product-files.service.js';
import { AdminFrame, When } from './admin-frame.view.js';
import { ProductCrumbs } from './admin-keys.view.js';
import type { AdminFilesPage } from './admin-stock.service.js';

/** What the files page says after a redirect or a refused form. */
export interface FilesPageState {
  done?: 'uploaded' | 'replaced' | 'removed' | null;
  /** a refused upload or removal: which form (new, or a file's id) and why */
  error?: { target: 'new' | number; message: string };
}

const doneText = { uploaded: 'File uploaded.', replaced: 'File replaced: buyers now download the new version.', removed: 'File removed.' };

function ErrorFor({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p class="field-error" id={id} role="alert">
      {message}
    </p>
  ) : null;
}

/** GET /admin/products/:sku/files: the files buyers of a file product download, with upload, replace and remove. */
export function AdminFilesPage({ ctx, page, state = {} }: { ctx: ViewContext; page: AdminFilesPage; state?: FilesPageState }) {
  const { product, files, maxBytes } = page;
  const base = `/admin/products/${encodeURIComponent(product.sku)}/files`;
  const errorOf = (target: 'new' | number) => (state.error?.target === target ? state.error.message : undefined);
  return (
    <AdminFrame ctx={ctx} title={`Files of ${product.sku}`} section="products">
      <ProductCrumbs sku={product.sku} name={product.name} />
      {state.done && (
        <p class="notice success" role="status">
          {doneText[state.done]}
        </p>
      )}
      <section class="admin-panel" aria-labelledby="files-heading">
        <h2 id="files-heading">Files buyers download</h2>
        {files.length === 0 ? (
          <p class="empty">No files yet: buyers are told their download is being prepared.</p>
        ) : (
          <ul class="product-files">
            {files.map((f) => (
              <li data-file-id={f.id}>
                <h3 class="product-file-name">{f.filename}</h3>
                <dl class="product-file-facts">
                  <div>
                    <dt>Size</dt>
                    <dd data-size={f.size}>{formatBytes(f.size)}</dd>
                  </div>
                  <div>
                    <dt>Type</dt>
                    <dd>{f.contentType}</dd>
                  </div>
                  <div>
                    <dt>Uploaded</dt>
                    <dd>
                      <When ms={f.uploadedAt} />
                    </dd>
                  </div>
                  <div class="sha">
                    <dt>SHA-256</dt>
                    <dd>
                      <code class="sha256">{f.sha256}</code>
                    </dd>
                  </div>
                </dl>
                <div class="product-file-actions">
                  <form method="post" action={`${base}/${f.id}/replace`} enctype="multipart/form-data">
                    <div class={errorOf(f.id) ? 'field invalid' : 'field'}>
                      <label for={`replace-${f.id}`}>Replace with a new version</label>
                      <input
                        id={`replace-${f.id}`}
                        type="file"
                        name="file"
                        required
                        aria-invalid={errorOf(f.id) ? 'true' : undefined}
                        aria-describedby={errorOf(f.id) ? `replace-${f.id}-error` : undefined}
                      />
                      <ErrorFor id={`replace-${f.id}-error`} message={errorOf(f.id)} />
                    </div>
                    <button type="submit">Replace</button>
                  </form>
                  <form method="post" action={`${base}/${f.id}/remove`}>
                    <button type="submit" class="secondary">
                      Remove<span class="visually-hidden"> {f.filename}</span>
                    </button>
                  </form>
                </div>
              </li>
            ))}
          </ul>
        )}
        <p class="field-hint">
          A replaced file keeps its place: every buyer’s existing downloads get the new version. The last file of an active product cannot
          be removed.
        </p>
      </section>

      <section class="admin-panel" aria-labelledby="upload-heading">
        <h2 id="upload-heading">Upload a file</h2>
        <form method="post" action={base} enctype="multipart/form-data">
          <div class={errorOf('new') ? 'field invalid' : 'field'}>
            <label for="upload-file">File</label>
            <p class="field-hint" id="upload-file-hint">
              Up to {formatBytes(maxBytes)}. Its size and SHA-256 are shown once it is stored.
            </p>
            <input
              id="upload-file"
              type="file"
              name="file"
              required
              aria-invalid={errorOf('new') ? 'true' : undefined}
              aria-describedby={errorOf('new') ? 'upload-file-hint upload-file-error' : 'upload-file-hint'}
            />
            <ErrorFor id="upload-file-error" message={errorOf('new')} />
          </div>
          <div class="form-actions">
            <button type="submit">Upload</button>
          </div>
        </form>
      </section>
    </AdminFrame>
  );
}
