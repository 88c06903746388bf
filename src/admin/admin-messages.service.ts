import type { AuditActor, AuditService } from '../audit/audit.service.js';
import { messageStatuses, type ContactService, type MessageStatus } from '../contact/contact.service.js';
import { AppError, NotFoundError, ValidationError } from '../platform/errors.js';
import { paginate } from '../platform/pagination.js';
import { parsePage } from './admin-query.js';

export const MESSAGES_PAGE_SIZE = 20;

/** `?status=` for messages: empty means both. */
function parseMessageStatus(raw: string | undefined): MessageStatus | null {
  if (raw === undefined || raw === '') return null;
  if ((messageStatuses as readonly string[]).includes(raw)) return raw as MessageStatus;
  throw new ValidationError(`There is no message state "${raw.slice(0, 40)}". Choose open or answered.`, undefined, 'invalid_status');
}

/** A message id from the URL: digits only, anything else the same 404 as an unknown message. */
const idOf = (raw: string) => (/^[1-9][0-9]{0,11}$/.test(raw) ? Number(raw) : -1);

/** The owner's contact messages: list by state, a conversation, replies through the outbox, open/answered; each change audited in its transaction. */
export function createAdminMessagesService({
  contact,
  audit,
}: {
  contact: Pick<ContactService, 'listMessages' | 'countMessages' | 'getConversation' | 'reply' | 'setStatus' | 'withTransaction'>;
  audit: Pick<AuditService, 'recordOwnerAction'>;
}) {
  return {
    /** `GET /admin/messages`: newest first, open, answered or both (400 for a bad state or page). */
    async list(raw: { status?: string; page?: string }) {
      const status = parseMessageStatus(raw.status);
      const page = parsePage(raw.page);
      const [total, messages] = await Promise.all([
        contact.countMessages(status),
        contact.listMessages(MESSAGES_PAGE_SIZE, (page - 1) * MESSAGES_PAGE_SIZE, status),
      ]);
      const pagination = paginate(total, page, MESSAGES_PAGE_SIZE);
      if (page > pagination.pageCount)
        throw new NotFoundError(`There is no page ${page} of messages; the last is ${pagination.pageCount}.`, 'page_not_found');
      return { status, messages, pagination };
    },

    /** One message with the replies sent so far; `message_not_found` (404). */
    get: (rawId: string) => contact.getConversation(idOf(rawId)),

    /** Sends a reply (stored, mailed through the outbox, message answered); `{ errors }` for an empty or over-long body. */
    async reply(actor: AuditActor, rawId: string, body: string): Promise<{ ok: true } | { ok: false; errors: { body?: string } }> {
      try {
        await contact.withTransaction(async (tx) => {
          const { message, replyId } = await contact.reply(idOf(rawId), { body, authorEmail: actor.email }, tx);
          await audit.recordOwnerAction(
            {
              actor,
              action: 'message.reply',
              subject: `message #${message.id}`,
              before: { status: message.status },
              after: { status: 'answered', replyId, to: message.email },
            },
            tx,
          );
        });
        return { ok: true };
      } catch (err) {
        const fields = err instanceof AppError ? (err.details?.fields as { body?: string } | undefined) : undefined;
        if (!fields) throw err;
        return { ok: false, errors: fields };
      }
    },

    /** Marks a message open or answered; a repeat changes and records nothing. */
    async mark(actor: AuditActor, rawId: string, status: MessageStatus): Promise<void> {
      await contact.withTransaction(async (tx) => {
        const { message } = await contact.getConversation(idOf(rawId), tx);
        if (await contact.setStatus(message.id, status, tx))
          await audit.recordOwnerAction(
            {
              actor,
              action: `message.mark_${status}`,
              subject: `message #${message.id}`,
              before: { status: message.status },
              after: { status },
            },
            tx,
          );
      });
    },
  };
}

export type AdminMessagesService = ReturnType<typeof createAdminMessagesService>;
export type AdminMessageList = Awaited<ReturnType<AdminMessagesService['list']>>;
export type AdminConversation = Awaited<ReturnType<AdminMessagesService['get']>>;
