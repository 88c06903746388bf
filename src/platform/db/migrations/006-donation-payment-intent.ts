import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../db.js';

/** A paid donation keeps its payment intent, which is what a refund is made against. */
export function donationPaymentIntent(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('donations').addColumn('payment_intent', 'varchar(255)').execute();
    },
  };
}
