import type { QueryCreator } from 'kysely';
import type { DB } from '../platform/db/schema.js';

/**
 * Moves a gap-free counter one on (made at 1) and returns its new value: run on a transaction, or as
 * a CTE of the statement that uses the number, so the counter row's lock serialises the takers.
 */
export function takeCounter(q: QueryCreator<DB>, name: string) {
  return q
    .insertInto('counters')
    .values({ name, value: 1 })
    .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ value: eb('counters.value', '+', 1) })))
    .returning('value');
}
