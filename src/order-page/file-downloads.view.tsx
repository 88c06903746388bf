import type { GrantVerdict } from '../fulfilment/download-state.js';
import type { DownloadFileView } from '../fulfilment/product-files.service.js';

export type { DownloadFileView } from '../fulfilment/product-files.service.js';

export interface GrantView {
  unit: number;
  verdict: GrantVerdict;
  downloadsUsed: number;
  downloadLimit: number;
  expiresAt: number;
}

export interface FileDownloadsProps {
  orderId: string;
  itemId: number;
  /** one per unit bought, with its verdict from judgeGrant */
  grants: GrantView[];
  /** the product's files (the same for every unit) */
  files: DownloadFileView[];
}

const unavailable: Record<Exclude<GrantVerdict, 'available'>, string> = {
  revoked: 'Refunded: these downloads are no longer available.',
  access_expired: 'The download period has ended.',
  limit_reached: 'Download limit reached.',
};

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB'];

/** "812 bytes", "4.2 KB", "1.5 GB". */
export function formatFileSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

/** "14 March 2026", in UTC like the rest of the order page. */
function formatDate(ms: number): string {
  return new Date(ms).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/**
 * The downloads of one file item, per unit: what is left and until when, and a Download button per
 * file (a POST that answers with a short-lived link); the reason instead of buttons
 * when the unit can no longer be downloaded.
 */
export function FileDownloads({ orderId, itemId, grants, files }: FileDownloadsProps) {
  const many = grants.length > 1;
  return (
    <ul class="deliveries downloads" data-item-id={itemId}>
      {grants.map((g) => (
        <li class={`download-unit ${g.verdict}`} data-unit={g.unit}>
          {many && <span class="unit">Copy {g.unit + 1}</span>}{' '}
          {g.verdict === 'available' ? (
            <>
              <span class="state">
                {g.downloadLimit - g.downloadsUsed} of {g.downloadLimit} downloads left, until{' '}
                <time datetime={new Date(g.expiresAt).toISOString()}>{formatDate(g.expiresAt)}</time>
              </span>
              {files.length === 0 ? (
                <p class="notice">The files for this product are being prepared. Please check back soon or contact us.</p>
              ) : (
                <ul class="download-files">
                  {files.map((f) => (
                    <li>
                      <span class="filename">{f.filename}</span> <span class="file-size">({formatFileSize(f.size)})</span>{' '}
                      <form method="post" action={`/orders/${orderId}/items/${itemId}/download`} class="download">
                        <input type="hidden" name="unit" value={String(g.unit)} />
                        <input type="hidden" name="file" value={String(f.id)} />
                        <button
                          type="submit"
                          class="button secondary"
                          aria-label={`Download ${f.filename}${many ? ` (copy ${g.unit + 1})` : ''}`}
                        >
                          Download
                        </button>
                      </form>
                    </li>
                  ))}
                </ul>
              )}
            </>
          ) : (
            <span class={`state ${g.verdict}`}>
              {unavailable[g.verdict]}
              {g.verdict === 'limit_reached' && ` All ${g.downloadLimit} downloads were used.`}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
