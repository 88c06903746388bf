import type { MailService } from '../platform/mail/mail.service.js';

type OutgoingMail = Parameters<MailService['enqueue']>[0];

/** Lines prefixed `> `, as mail clients quote. */
const quote = (text: string) =>
  text
    .split('\n')
    .map((l) => (l === '' ? '>' : `> ${l}`))
    .join('\n');

/**
 * The owner's answer to a contact message: to whoever wrote, from the shop (the mail service's
 * sender), "Re: <their subject>", their message quoted below; their "Reply" comes back to the shop.
 */
export function replyMail({
  message,
  body,
  shopName,
  shopEmail,
}: {
  message: { name: string; email: string; subject: string; message: string; created_at: number };
  body: string;
  shopName: string;
  shopEmail: string;
}): OutgoingMail {
  const subject = /^re:/i.test(message.subject) ? message.subject : `Re: ${message.subject}`;
  const wrote = `On ${new Date(message.created_at).toISOString().slice(0, 16).replace('T', ' ')} UTC, ${message.name} wrote:`;
  return {
    recipient: message.email,
    replyTo: shopEmail,
    subject: subject.slice(0, 300),
    textBody: `${body}\n\n-- \n${shopName}\n\n${wrote}\n${quote(message.message)}\n`,
  };
}
