import { mailLook, type MailBlock, type MailSettings } from '../platform/mail/mail-blocks.js';
import { renderMail } from '../platform/mail/mail.view.js';
import { formatMoney } from '../platform/money.js';
import type { DonationRow } from './donations.repo.js';

/** The receipt a donor gets once the payment is settled (queued in the same transaction). */
export function donationReceiptMail(donation: DonationRow & { email: string }, paidAt: number, settings: MailSettings) {
  const amount = formatMoney(donation.amount, donation.currency);
  const blocks: MailBlock[] = [
    { type: 'heading', text: `Thank you for supporting ${settings.shopName}!` },
    { type: 'paragraph', text: 'Your donation has been received.' },
    {
      type: 'facts',
      rows: [
        ['Donation', donation.id],
        ['Amount', amount],
        ['Date', new Date(paidAt).toISOString().slice(0, 10)],
      ],
    },
    ...(donation.message ? [{ type: 'paragraph' as const, text: `Your message: ${donation.message}` }] : []),
    { type: 'note', text: 'Please keep this mail as your receipt. If you did not make this donation, reply to this mail.' },
  ];
  return renderMail(donation.email, `[${settings.shopName}] Thank you for your donation of ${amount}`, blocks, mailLook(settings));
}
