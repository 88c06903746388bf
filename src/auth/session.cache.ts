import { createCache } from '../platform/cache.js';
import type { Database, Executor } from '../platform/db/db.js';
import { SESSION_CHANNEL, type SessionRepo, type SessionRow } from './session.repo.js';

/**
 * Sessions read once per request: kept `cacheMs` per instance, and dropped at once when any instance
 * changes one (logout, refresh, profile) through PostgreSQL NOTIFY. A lost LISTEN connection empties
 * the cache and turns it off until it listens again, since changes meanwhile went unheard. SQLite
 * has one store process: what it changes it drops itself. Without `cacheMs` every read goes to the
 * database.
 */
export function createSessionCache({
  db,
  repo,
  clock,
  cacheMs,
}: {
  db: Database;
  repo: SessionRepo;
  clock: () => number;
  cacheMs: number;
}) {
  const cache = cacheMs > 0 ? createCache<string, SessionRow>({ max: 10_000, ttlMs: cacheMs, clock }) : null;
  // Counts what was heard, so a read that overlapped a change does not keep what it read.
  let heard = 0;
  const forget = (id: string) => {
    heard++;
    cache?.delete(id);
  };
  const listening =
    cache && db.listen
      ? db.listen(SESSION_CHANNEL, {
          message: forget,
          lost: () => {
            heard++;
            cache.clear();
          },
        })
      : null;
  const trusted = () => cache !== null && (db.dialect !== 'postgres' || listening?.live() === true);

  return {
    /** The row behind a session id, from this instance's cache when it can be trusted. */
    readSession: async (id: string): Promise<SessionRow | null> => {
      if (!trusted()) return (await repo.findById(id)) ?? null;
      const kept = cache!.get(id);
      if (kept) return kept;
      const before = heard;
      const row = (await repo.findById(id)) ?? null;
      if (row && heard === before) cache!.set(id, row);
      return row;
    },

    /** Drops this instance's copy (a change other instances need not hear of). */
    forget,

    /** Every instance forgets its copy of a session this one changed (told at the commit of `tx` when given). */
    changed: async (id: string, tx?: Executor) => {
      forget(id);
      await repo.announceChange(id, tx);
    },

    /** Stops listening (app shutdown). */
    close: async () => {
      await listening?.close();
    },
  };
}
