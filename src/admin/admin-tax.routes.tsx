import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditActor } from '../audit/audit.service.js';
import { AppError } from '../platform/errors.js';
import type { TaxRateFieldErrors, TaxService } from '../tax/tax.service.js';
import { AdminTaxPage, taxNotices, type TaxNotice, type TaxRateValues } from './admin-tax.view.js';

// Lengths above the service's own limits, so an over-long value gets its message beside the field.
const RateBody = Type.Object({
  country: Type.Optional(Type.String({ maxLength: 100 })),
  category: Type.Optional(Type.String({ maxLength: 100 })),
  percent: Type.Optional(Type.String({ maxLength: 100 })),
  from: Type.Optional(Type.String({ maxLength: 100 })),
  note: Type.Optional(Type.String({ maxLength: 300 })),
});
// Digits only: anything else is the same 404 as an unknown row.
const IdParams = Type.Object({ id: Type.String({ maxLength: 12 }) });
const NoticeQuery = Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) });

const privatePage = (reply: FastifyReply) => reply.header('cache-control', 'private, no-store');
const actorOf = (request: FastifyRequest): AuditActor => ({ sub: request.user!.sub, email: request.user!.email });

/** /admin/tax: the rates table, add a row from a day, remove a row; registered inside adminRoutes, behind its owner guard. */
export function adminTaxRoutes(app: FastifyInstance, { tax }: { tax: TaxService }) {
  const page = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { notice?: TaxNotice | null; values?: TaxRateValues; errors?: TaxRateFieldErrors } = {},
    status = 200,
  ) =>
    privatePage(reply).render(
      <AdminTaxPage
        ctx={await request.viewContext(reply)}
        rates={await tax.list()}
        categories={await tax.categories()}
        sellerCountry={tax.sellerCountry}
        {...extra}
      />,
      status,
    );

  app.get('/admin/tax', { schema: { querystring: NoticeQuery } }, (request, reply) => {
    const done = (request.query as Static<typeof NoticeQuery>).done;
    return page(request, reply, { notice: done && done in taxNotices ? (done as TaxNotice) : null });
  });

  app.post('/admin/tax', { schema: { body: RateBody } }, async (request, reply) => {
    const values = { country: '', category: '', percent: '', from: '', note: '', ...(request.body as Static<typeof RateBody>) };
    try {
      await tax.addRate(values, actorOf(request));
    } catch (err) {
      const fields = err instanceof AppError ? (err.details?.fields as TaxRateFieldErrors | undefined) : undefined;
      if (!fields || !(err instanceof AppError)) throw err;
      return page(request, reply, { values, errors: fields }, err.status);
    }
    return reply.redirect('/admin/tax?done=added', 303);
  });

  app.post('/admin/tax/:id/delete', { schema: { params: IdParams } }, async (request, reply) => {
    const raw = (request.params as Static<typeof IdParams>).id;
    await tax.removeRate(/^[1-9][0-9]{0,11}$/.test(raw) ? Number(raw) : -1, actorOf(request));
    return reply.redirect('/admin/tax?done=removed', 303);
  });
}
