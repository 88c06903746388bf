import { CompiledQuery, sql, type KyselyPlugin } from 'kysely';
import type { TestDatabase } from './database.js';

/**
 * The plan of every statement `run` sends through the database it is given (a copy of `db` that
 * records its SQL). PostgreSQL is told to avoid sequential scans, since on a small table it would
 * rightly prefer one; what a test checks is that an index can serve the query at all.
 */
export async function plansOf(db: TestDatabase, run: (spied: TestDatabase) => Promise<unknown>): Promise<string[]> {
  const sent: CompiledQuery[] = [];
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      sent.push(db.kysely.getExecutor().compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  await run({ ...db, kysely: db.kysely.withPlugin(plugin) });
  return Promise.all(
    sent.map(async (query) => {
      if (db.dialect === 'sqlite') {
        const { rows } = await db.kysely.executeQuery<{ detail: string }>(
          CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
        );
        return rows.map((r) => r.detail).join('\n');
      }
      return db.transaction(async (tx) => {
        await sql`set local enable_seqscan = off`.execute(tx);
        const { rows } = await tx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]));
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      });
    }),
  );
}
