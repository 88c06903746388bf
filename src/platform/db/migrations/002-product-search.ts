import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../db.js';

/** Full-text search over products (placeholder: the catalog work fills it in). */
export function productSearch(_dialect: Dialect): Migration {
  return { async up(_db: Kysely<any>) {} };
}
