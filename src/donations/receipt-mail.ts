import { formatMoney } from '../platform/money.js';
import type { DonationRow } from './donations.repo.js';

/** The receipt a donor gets once the payment is settled (queued in the same transaction). */
export function donationReceiptMail(donation: DonationRow & { email: string }, paidAt: number, { shopName }: { shopName: string }) {
  const amount = formatMoney(donation.amount, donation.currency);
  return {
    recipient: donation.email,
    subject: `[${shopName}] Thank you for your donation of ${amount}`,
    textBody: [
      `Thank you for supporting ${shopName}!`,
      '',
      'Your donation has been received:',
      `  Donation:  ${donation.id}`,
      `  Amount:    ${amount}`,
      `  Date:      ${new Date(paidAt).toISOString().slice(0, 10)}`,
      ...(donation.message ? ['', 'Your message:', ...donation.message.split('\n').map((line) => `  ${line}`)] : []),
      '',
      'Please keep this email as your receipt. If you did not make this donation, reply to this email.',
      '',
    ].join('\n'),
  };
}
