import type { Database, Executor } from '../platform/db/db.js';

export interface NewContactMessage {
  name: string;
  email: string;
  subject: string;
  message: string;
  user_sub: string | null;
  ip: string;
  created_at: number;
}

/** open: waiting for the owner; answered: replied to (or marked so). */
export type MessageStatus = 'open' | 'answered';

/** Messages buyers send the shop through the contact form, and the owner's replies. */
export function createContactRepo(db: Database) {
  return {
    async insertMessage(row: NewContactMessage, tx: Executor = db.kysely): Promise<number> {
      const { id } = await tx.insertInto('contact_messages').values(row).returning('id').executeTakeFirstOrThrow();
      return id;
    },
    async countMessages(status: MessageStatus | null = null, tx: Executor = db.kysely): Promise<number> {
      const row = await tx
        .selectFrom('contact_messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .$if(status !== null, (q) => q.where('status', '=', status!))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    findMessages(limit: number, offset: number, status: MessageStatus | null = null, tx: Executor = db.kysely) {
      return tx
        .selectFrom('contact_messages')
        .selectAll()
        .$if(status !== null, (q) => q.where('status', '=', status!))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .offset(offset)
        .execute();
    },

    findMessage(id: number, tx: Executor = db.kysely) {
      return tx.selectFrom('contact_messages').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** Moves a message to `status`; false when it already was there (so a repeat records nothing). */
    async updateStatus(id: number, status: MessageStatus, answeredAt: number | null, tx: Executor = db.kysely): Promise<boolean> {
      const r = await tx
        .updateTable('contact_messages')
        .set({ status, answered_at: answeredAt })
        .where('id', '=', id)
        .where('status', '<>', status)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    findReplies(messageId: number, tx: Executor = db.kysely) {
      return tx.selectFrom('contact_replies').selectAll().where('message_id', '=', messageId).orderBy('id').execute();
    },
    async insertReply(row: { message_id: number; body: string; author_email: string; created_at: number }, tx: Executor = db.kysely) {
      const { id } = await tx.insertInto('contact_replies').values(row).returning('id').executeTakeFirstOrThrow();
      return id;
    },
  };
}
