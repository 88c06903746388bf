import type { AuditActor, AuditService } from '../audit/audit.service.js';
import type { CategoriesService, CategoryFieldErrors } from '../catalog/categories.service.js';
import { AppError } from '../platform/errors.js';

export interface AdminCategoriesDeps {
  categories: CategoriesService;
  audit: Pick<AuditService, 'recordOwnerAction'>;
}

/** A form's outcome: done, or the problems field by field (nothing written). */
export type CategoryResult = { ok: true } | { ok: false; errors: CategoryFieldErrors; status: number };

/** A refusal about a field (bad or taken slug, empty name) becomes that field's message; anything else is thrown. */
async function attempt(fn: () => Promise<unknown>): Promise<CategoryResult> {
  try {
    await fn();
    return { ok: true };
  } catch (err) {
    const fields = err instanceof AppError ? (err.details?.fields as CategoryFieldErrors | undefined) : undefined;
    if (!fields || !(err instanceof AppError)) throw err;
    return { ok: false, errors: fields, status: err.status };
  }
}

/** The owner's category actions from the browser: the catalog's categories service, each with its audit row in the same transaction. */
export function createAdminCategoriesService({ categories, audit }: AdminCategoriesDeps) {
  const subject = (c: { slug: string }) => c.slug;
  return {
    list: () => categories.list(),
    get: (id: number) => categories.get(id),

    /** Creates a category at the end of the order. */
    create: (actor: AuditActor, input: { name: string; slug: string }) =>
      attempt(() =>
        categories.transaction(async (tx) => {
          const c = await categories.create(input, tx);
          await audit.recordOwnerAction(
            { actor, action: 'category.create', subject: subject(c), after: { name: c.name, slug: c.slug } },
            tx,
          );
        }),
      ),

    /** Renames a category (its slug and address stay). */
    rename: (actor: AuditActor, id: number, name: string) =>
      attempt(() =>
        categories.transaction(async (tx) => {
          const { before, after } = await categories.rename(id, name, tx);
          if (before.name !== after.name)
            await audit.recordOwnerAction(
              { actor, action: 'category.rename', subject: subject(after), before: { name: before.name }, after: { name: after.name } },
              tx,
            );
        }),
      ),

    /** Changes a category's slug; the old address answers a 301 to the new one. */
    changeSlug: (actor: AuditActor, id: number, slug: string) =>
      attempt(() =>
        categories.transaction(async (tx) => {
          const { before, after } = await categories.changeSlug(id, slug, tx);
          if (before.slug !== after.slug)
            await audit.recordOwnerAction(
              {
                actor,
                action: 'category.change_slug',
                subject: subject(after),
                before: { slug: before.slug },
                after: { slug: after.slug },
              },
              tx,
            );
        }),
      ),

    /** Moves a category one place up or down in the header; its place before and after (the same at either end). */
    move: (actor: AuditActor, id: number, direction: 'up' | 'down') =>
      categories.transaction(async (tx) => {
        const moved = await categories.move(id, direction, tx);
        const { category, from, to } = moved;
        if (from !== to)
          await audit.recordOwnerAction(
            { actor, action: 'category.move', subject: subject(category), before: { place: from }, after: { place: to } },
            tx,
          );
        return moved;
      }),

    /** Deletes an empty category; `category_not_empty` (409) otherwise. */
    delete: (actor: AuditActor, id: number) =>
      categories.transaction(async (tx) => {
        const c = await categories.delete(id, tx);
        await audit.recordOwnerAction(
          { actor, action: 'category.delete', subject: subject(c), before: { name: c.name, slug: c.slug } },
          tx,
        );
        return c;
      }),
  };
}

export type AdminCategoriesService = ReturnType<typeof createAdminCategoriesService>;
