import type { AuditActor, AuditService } from '../audit/audit.service.js';
import type { DiscountFieldErrors, DiscountForm } from '../discounts/discount.input.js';
import type { DiscountsService } from '../discounts/discounts.service.js';
import { AppError } from '../platform/errors.js';

export interface AdminDiscountsDeps {
  discounts: Pick<DiscountsService, 'create' | 'list' | 'disable' | 'transaction'>;
  audit: Pick<AuditService, 'recordOwnerAction'>;
}

/** A form's outcome: done, or the problems field by field (nothing written). */
export type DiscountResult = { ok: true; code: string } | { ok: false; errors: DiscountFieldErrors; status: number };

/** The owner's discount codes from the browser: the discounts service, each change with its audit row in the same transaction. */
export function createAdminDiscountsService({ discounts, audit }: AdminDiscountsDeps) {
  return {
    list: () => discounts.list(),

    /** Adds a code; field errors come back for the form instead of being thrown. */
    async create(actor: AuditActor, form: DiscountForm): Promise<DiscountResult> {
      try {
        const created = await discounts.create(form, async (tx, c) => {
          const { id: _id, state: _state, createdAt: _at, ...after } = c;
          await audit.recordOwnerAction({ actor, action: 'discount.create', subject: c.code, after }, tx);
        });
        return { ok: true, code: created.code };
      } catch (err) {
        const fields = err instanceof AppError ? (err.details?.fields as DiscountFieldErrors | undefined) : undefined;
        if (!fields || !(err instanceof AppError)) throw err;
        return { ok: false, errors: fields, status: err.status };
      }
    },

    /** Disables a code (once: disabling it again changes and records nothing). */
    disable: (actor: AuditActor, code: string) =>
      discounts.transaction(async (tx) => {
        const r = await discounts.disable(code, tx);
        if (r.changed) await audit.recordOwnerAction({ actor, action: 'discount.disable', subject: r.code }, tx);
        return r;
      }),
  };
}

export type AdminDiscountsService = ReturnType<typeof createAdminDiscountsService>;
