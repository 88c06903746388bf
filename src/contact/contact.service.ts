import type { Database, Executor, Tx } from '../platform/db/db.js';
import { NotFoundError, ValidationError } from '../platform/errors.js';
import type { MailService } from '../platform/mail/mail.service.js';
import { createContactRepo, type MessageStatus } from './contact.repo.js';
import { replyMail } from './reply-mail.js';

export type { MessageStatus } from './contact.repo.js';
export const messageStatuses: readonly MessageStatus[] = ['open', 'answered'];
/** The longest reply the owner may send. */
export const REPLY_MAX = 10_000;

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

  async function getConversation(id: number, tx?: Executor) {
    const message = Number.isSafeInteger(id) ? await repo.findMessage(id, tx) : undefined;
    if (!message) throw new NotFoundError('There is no such message.', 'message_not_found');
    return { message, replies: await repo.findReplies(id, tx) };
  }
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
    /** Newest messages first, for the owner; only open or answered ones when `status` is given. */
    listMessages: (limit = 50, offset = 0, status: MessageStatus | null = null) => repo.findMessages(limit, offset, status),
    /** How many messages there are (in one state), for the owner's pagination. */
    countMessages: (status: MessageStatus | null = null) => repo.countMessages(status),

    /** Runs the owner's changes to messages (and the caller's audit row) in one transaction. */
    withTransaction: <T>(fn: (tx: Tx) => Promise<T>) => db.transaction(fn),

    /** A message with the owner's replies, oldest first; `message_not_found` (404) otherwise. */
    getConversation,

    /**
     * The owner's answer: stored with the conversation, mailed through the outbox to whoever wrote
     * (from the shop, "Re: <subject>", their message quoted, replies going to the shop), and the
     * message marked answered; all in the caller's transaction. `invalid_input` for an empty body.
     */
    async reply(id: number, input: { body: string; authorEmail: string }, tx: Executor) {
      const body = input.body.replace(/\r\n/g, '\n').trim();
      if (body === '' || body.length > REPLY_MAX)
        throw new ValidationError('Please correct the highlighted fields.', {
          fields: { body: body === '' ? 'Please write your reply.' : `A reply has at most ${REPLY_MAX.toLocaleString('en')} characters.` },
        });
      const { message } = await getConversation(id, tx);
      const now = clock();
      const replyId = await repo.insertReply({ message_id: id, body, author_email: input.authorEmail, created_at: now }, tx);
      await mail.enqueue(replyMail({ message, body, shopName, shopEmail }), tx);
      const wasOpen = await repo.updateStatus(id, 'answered', now, tx);
      return { message, replyId, wasOpen };
    },

    /** Marks a message open or answered; false when it already was (nothing changes). */
    setStatus: (id: number, status: MessageStatus, tx: Executor) =>
      repo.updateStatus(id, status, status === 'answered' ? clock() : null, tx),
  };
}

export type ContactService = ReturnType<typeof createContactService>;
