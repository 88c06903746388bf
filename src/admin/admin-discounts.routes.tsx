import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditActor } from '../audit/audit.service.js';
import { EMPTY_DISCOUNT_FORM, type DiscountForm } from '../discounts/discount.input.js';
import { AdminDiscountsPage, discountNotices, type DiscountNotice } from './admin-discounts.view.js';
import type { AdminDiscountsService } from './admin-discounts.service.js';

// Generous lengths: the service explains a bad value beside its field.
const text = () => Type.Optional(Type.String({ maxLength: 2000 }));
const CreateBody = Type.Object(Object.fromEntries(Object.keys(EMPTY_DISCOUNT_FORM).map((k) => [k, text()])));
const CodeParams = Type.Object({ code: Type.String({ maxLength: 100 }) });
const NoticeQuery = Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) });

const privatePage = (reply: FastifyReply) => reply.header('cache-control', 'private, no-store');
const actorOf = (request: FastifyRequest): AuditActor => ({ sub: request.user!.sub, email: request.user!.email });
const noticeOf = (request: FastifyRequest): DiscountNotice | null => {
  const done = (request.query as Static<typeof NoticeQuery>).done;
  return done && done in discountNotices ? (done as DiscountNotice) : null;
};

/** /admin/discounts: list, create, disable; registered inside adminRoutes, behind its owner guard. */
export function adminDiscountsRoutes(app: FastifyInstance, { discounts }: { discounts: AdminDiscountsService }) {
  const list = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: Partial<Parameters<typeof AdminDiscountsPage>[0]> = {},
    status = 200,
  ) =>
    privatePage(reply).render(
      <AdminDiscountsPage ctx={await request.viewContext(reply)} discounts={await discounts.list()} {...extra} />,
      status,
    );

  app.get('/admin/discounts', { schema: { querystring: NoticeQuery } }, (request, reply) =>
    list(request, reply, { notice: noticeOf(request) }),
  );

  app.post('/admin/discounts', { schema: { body: CreateBody } }, async (request, reply) => {
    const values: DiscountForm = { ...EMPTY_DISCOUNT_FORM, ...(request.body as Partial<DiscountForm>) };
    const result = await discounts.create(actorOf(request), values);
    return result.ok
      ? reply.redirect('/admin/discounts?done=created', 303)
      : list(request, reply, { values, errors: result.errors }, result.status);
  });

  app.post('/admin/discounts/:code/disable', { schema: { params: CodeParams } }, async (request, reply) => {
    await discounts.disable(actorOf(request), (request.params as Static<typeof CodeParams>).code);
    return reply.redirect('/admin/discounts?done=disabled', 303);
  });
}
