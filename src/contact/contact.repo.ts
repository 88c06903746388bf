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

/** Messages buyers send the shop through the contact form. */
export function createContactRepo(db: Database) {
  return {
    async insertMessage(row: NewContactMessage, tx: Executor = db.kysely): Promise<number> {
      const { id } = await tx.insertInto('contact_messages').values(row).returning('id').executeTakeFirstOrThrow();
      return id;
    },
    async countMessages(tx: Executor = db.kysely): Promise<number> {
      const row = await tx
        .selectFrom('contact_messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    findMessages(limit: number, offset: number, tx: Executor = db.kysely) {
      return tx
        .selectFrom('contact_messages')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .offset(offset)
        .execute();
    },
  };
}
