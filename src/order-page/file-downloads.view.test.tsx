import { renderToString } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { FileDownloads, formatFileSize, type DownloadFileView, type GrantView } from './file-downloads.view.js';

const expiresAt = Date.UTC(2026, 3, 14, 12);
const grant = (unit: number, over: Partial<GrantView> = {}): GrantView => ({
  unit,
  verdict: 'available',
  downloadsUsed: 2,
  downloadLimit: 5,
  expiresAt,
  ...over,
});
const files: DownloadFileView[] = [
  { id: 11, filename: 'Cobalt Mono.zip', size: 5501, contentType: 'application/zip' },
  { id: 12, filename: 'Specimen <b>bold</b>.pdf', size: 2_400_000, contentType: 'application/pdf' },
];
const render = (grants: GrantView[]) => renderToString(<FileDownloads orderId="ord_0123" itemId={7} grants={grants} files={files} />);

describe('FileDownloads', () => {
  it('offers a Download form per file with unit and file (no token), and says what is left until when', () => {
    const html = render([grant(0)]);
    expect(html).toContain('3 of 5 downloads left, until <time datetime="2026-04-14T12:00:00.000Z">14 April 2026</time>');
    expect(html.match(/<form method="post" action="\/orders\/ord_0123\/items\/7\/download" class="download">/g)).toHaveLength(2);
    expect(html).toContain(
      'class="download"><input type="hidden" name="unit" value="0"/><input type="hidden" name="file" value="11"/><button',
    );
    expect(html).toContain('Cobalt Mono.zip</span> <span class="file-size">(5.4 KB)</span>');
    expect(html).toContain('Specimen &lt;b>bold&lt;/b>.pdf'); // escaped, never markup
    expect(html).toContain('(2.3 MB)');
    expect(html).not.toContain('Copy 1'); // one unit: no numbering
  });

  it('numbers several units and shows why a unit cannot be downloaded instead of buttons', () => {
    const html = render([
      grant(0),
      grant(1, { verdict: 'revoked' }),
      grant(2, { verdict: 'access_expired' }),
      grant(3, { verdict: 'limit_reached', downloadsUsed: 5 }),
    ]);
    expect(html).toContain('Copy 1');
    expect(html).toContain('Copy 4');
    expect(html).toContain('Refunded: these downloads are no longer available.');
    expect(html).toContain('The download period has ended.');
    expect(html).toContain('Download limit reached. All 5 downloads were used.');
    expect(html.match(/<form /g)).toHaveLength(2); // only the available unit's two files
    expect(html.match(/name="unit" value="(\d)"/g)).toEqual(['name="unit" value="0"', 'name="unit" value="0"']);
  });

  it('explains a product without files yet', () => {
    expect(renderToString(<FileDownloads orderId="ord_1" itemId={1} grants={[grant(0)]} files={[]} />)).toContain(
      'The files for this product are being prepared.',
    );
  });
});

describe('formatFileSize', () => {
  it('reads naturally from bytes to gigabytes', () => {
    expect([0, 1, 812, 1024, 5501, 10 * 1024 * 1024, 1.5 * 1024 ** 3].map(formatFileSize)).toEqual([
      '0 bytes',
      '1 byte',
      '812 bytes',
      '1.0 KB',
      '5.4 KB',
      '10 MB',
      '1.5 GB',
    ]);
  });
});
