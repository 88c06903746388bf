import type { Database } from '../platform/db/db.js';
import { ValidationError } from '../platform/errors.js';
import type { MailService } from '../platform/mail/mail.service.js';
import { createContactRepo } from './contact.repo.js';

export interface ContactInput {
  name: string;
  email: string;
  subject: string;
  message: string;
  /** The honeypot: hidden from people, filled in by bots. */
  website?: string;
}

export type ContactFieldErrors = Partial<Record<keyof ContactInput, string>>;

const EMAIL = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;

/** Field-by-field problems with a contact message; empty when it can be sent. */
export function checkContactInput(input: ContactInput): ContactFieldErrors {
  const errors: ContactFieldErrors = {};
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100) errors.name = 'Please tell us your name (up to 100 characters).';
  if (!EMAIL.test(input.email.trim()) || input.email.trim().length > 254)
    errors.email = 'Please enter a valid email address so we can answer.';
  if (input.subject.trim().length < 1 || input.subject.trim().length > 150) errors.subject = 'Please add a subject (up to 150 characters).';
  const message = input.message.trim();
  if (message.length < 10 || message.length > 5000) errors.message = 'Your message should be between 10 and 5,000 characters.';
  return errors;
}

/** The contact form: the message is stored first and mailed to the shop through the outbox. */
export function createContactService({
  db,
  mail,
  shopEmail,
  shopName,
  clock = Date.now,
}: {
  db: Database;
  mail: MailService;
  shopEmail: string;
  shopName: string;
  clock?: () => number;
}) {
  const repo = createContactRepo(db);
  return {
    /**
     * Stores the message and queues the mail to the shop in one transaction, so a mail server that
     * is down loses nothing. A filled honeypot is accepted silently and dropped.
     */
    async sendMessage(input: ContactInput, sender: { ip: string; userSub: string | null }): Promise<{ stored: boolean }> {
      const errors = checkContactInput(input);
      if (Object.keys(errors).length > 0) throw new ValidationError('Please correct the highlighted fields.', { fields: errors });
      if (input.website && input.website.trim() !== '') return { stored: false };
      const row = {
        name: input.name.trim(),
        email: input.email.trim(),
        subject: input.subject.trim(),
        message: input.message.trim(),
        user_sub: sender.userSub,
        ip: sender.ip,
        created_at: clock(),
      };
      await db.transaction(async (tx) => {
        const id = await repo.insertMessage(row, tx);
        await mail.enqueue(
          {
            recipient: shopEmail,
            replyTo: row.email,
            subject: `[${shopName}] Contact: ${row.subject}`,
            textBody: `Message #${id} from ${row.name} <${row.email}>${row.user_sub ? ` (account ${row.user_sub})` : ''}:\n\n${row.message}\n\nReply to: ${row.email}\n`,
          },
          tx,
        );
      });
      return { stored: true };
    },
    /** Newest messages first, for the owner. */
    listMessages: (limit = 50, offset = 0) => repo.findMessages(limit, offset),
    /** How many messages there are, for the owner's pagination. */
    countMessages: () => repo.countMessages(),
  };
}

export type ContactService = ReturnType<typeof createContactService>;
