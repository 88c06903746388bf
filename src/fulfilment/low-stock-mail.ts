import { mailLook, type MailBlock, type MailSettings } from '../platform/mail/mail-blocks.js';
import { renderMail } from '../platform/mail/mail.view.js';

/** What the owner is told when a sale leaves a key pool at or below its threshold. */
export interface LowStockNotice {
  sku: string;
  name: string;
  available: number;
  threshold: number;
}

/** The one mail per crossing that tells the owner a key pool is running out, with the page to refill it. */
export function lowStockMail(to: string, notice: LowStockNotice, settings: MailSettings) {
  const left = notice.available === 0 ? 'sold out' : `${notice.available} key${notice.available === 1 ? '' : 's'} left`;
  const blocks: MailBlock[] = [
    { type: 'heading', text: `${notice.name} is running low on keys` },
    {
      type: 'paragraph',
      text:
        notice.available === 0
          ? 'The last available key was just reserved: buyers now see “Sold out”.'
          : `A sale just left ${left} in the pool, at or below the low-stock threshold of ${notice.threshold}.`,
    },
    {
      type: 'facts',
      rows: [
        ['Product', `${notice.name} (${notice.sku})`],
        ['Available', String(notice.available)],
        ['Threshold', String(notice.threshold)],
      ],
    },
    { type: 'button', label: 'Import keys', href: `${settings.publicUrl}/admin/products/${encodeURIComponent(notice.sku)}/keys` },
    {
      type: 'note',
      text: 'You get this mail once each time the pool falls to its threshold; importing keys above it arms it again.',
    },
  ];
  return renderMail(to, `[${settings.shopName}] Low stock: ${notice.sku} — ${left}`, blocks, mailLook(settings));
}
