import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Uploaded product images: their size (so pages reserve the space before the image arrives) and
 * the renditions made at upload, as JSON (`[{key, type, width, height}]`, keys in the file storage).
 * Rows given as URLs (demo art, allowed hosts) keep null in all three and work as before.
 */
export function productImageFiles(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('product_images').addColumn('width', 'integer').execute();
      await db.schema.alterTable('product_images').addColumn('height', 'integer').execute();
      await db.schema.alterTable('product_images').addColumn('renditions', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('product_images').dropColumn('renditions').execute();
      await db.schema.alterTable('product_images').dropColumn('height').execute();
      await db.schema.alterTable('product_images').dropColumn('width').execute();
    },
  };
}
