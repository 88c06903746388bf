import type { Database, Executor } from '../platform/db/db.js';
import { NotFoundError } from '../platform/errors.js';
import { paginate, type Pagination } from '../platform/pagination.js';
import { createAuditRepo } from './audit.repo.js';

export const AUDIT_PAGE_SIZE = 50;

/** Who did it: the owner's identity from their session. */
export interface AuditActor {
  sub: string;
  email: string;
}

export interface OwnerAction {
  actor: AuditActor;
  /** What was done, e.g. `product.create`. */
  action: string;
  /** What it was done to, e.g. the product's SKU. */
  subject: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditEntry {
  id: number;
  at: number;
  actorEmail: string;
  action: string;
  subject: string;
  before: unknown;
  after: unknown;
}

const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

/** The owner audit log: written in the transaction of the change it records, read at /admin/audit. */
export function createAuditService({ db, clock = Date.now }: { db: Database; clock?: () => number }) {
  const repo = createAuditRepo(db);
  return {
    /** Records one owner action; give the change's transaction so both commit or neither does. */
    async recordOwnerAction({ actor, action, subject, before, after }: OwnerAction, tx?: Executor): Promise<void> {
      await repo.insert(
        { actor_sub: actor.sub, actor_email: actor.email, action, subject, before: json(before), after: json(after), created_at: clock() },
        tx,
      );
    },

    /** One page of the log, newest first; `page_not_found` past the last page. */
    async listEntries(page: number): Promise<{ entries: AuditEntry[]; pagination: Pagination }> {
      const total = await repo.count();
      const pagination = paginate(total, page, AUDIT_PAGE_SIZE);
      if (page > pagination.pageCount)
        throw new NotFoundError(`There is no page ${page} of the audit log; the last is ${pagination.pageCount}.`, 'page_not_found');
      const rows = await repo.findPage(AUDIT_PAGE_SIZE, (page - 1) * AUDIT_PAGE_SIZE);
      const parse = (s: string | null): unknown => (s === null ? null : JSON.parse(s));
      return {
        entries: rows.map((r) => ({
          id: r.id,
          at: r.created_at,
          actorEmail: r.actor_email,
          action: r.action,
          subject: r.subject,
          before: parse(r.before),
          after: parse(r.after),
        })),
        pagination,
      };
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
