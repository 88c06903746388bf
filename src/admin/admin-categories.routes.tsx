import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditActor } from '../audit/audit.service.js';
import { AppError } from '../platform/errors.js';
import { AdminCategoriesPage, AdminCategoryPage, categoryNotices, type CategoryNotice } from './admin-categories.view.js';
import type { AdminCategoriesService } from './admin-categories.service.js';

// Lengths above the service's own limits, so an over-long value gets its message beside the field.
const NameBody = Type.Object({ name: Type.Optional(Type.String({ maxLength: 300 })) });
const SlugBody = Type.Object({ slug: Type.Optional(Type.String({ maxLength: 300 })) });
const CreateBody = Type.Object({ ...NameBody.properties, ...SlugBody.properties });
const MoveBody = Type.Object({ direction: Type.Union([Type.Literal('up'), Type.Literal('down')]) });
// Digits only: anything else is the same 404 as an unknown category.
const IdParams = Type.Object({ id: Type.String({ maxLength: 12 }) });
const NoticeQuery = Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) });

const privatePage = (reply: FastifyReply) => reply.header('cache-control', 'private, no-store');
const actorOf = (request: FastifyRequest): AuditActor => ({ sub: request.user!.sub, email: request.user!.email });
const idOf = (request: FastifyRequest) => {
  const raw = (request.params as Static<typeof IdParams>).id;
  return /^[1-9][0-9]{0,11}$/.test(raw) ? Number(raw) : -1;
};
const noticeOf = (request: FastifyRequest): CategoryNotice | null => {
  const done = (request.query as Static<typeof NoticeQuery>).done;
  return done && done in categoryNotices ? (done as CategoryNotice) : null;
};

/** /admin/categories: list, create, rename, change slug, reorder, delete; registered inside adminRoutes, behind its owner guard. */
export function adminCategoriesRoutes(app: FastifyInstance, { categories }: { categories: AdminCategoriesService }) {
  const list = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: Partial<Parameters<typeof AdminCategoriesPage>[0]> = {},
    status = 200,
  ) =>
    privatePage(reply).render(
      <AdminCategoriesPage ctx={await request.viewContext(reply)} categories={await categories.list()} {...extra} />,
      status,
    );
  const detail = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: Partial<Parameters<typeof AdminCategoryPage>[0]> = {},
    status = 200,
  ) =>
    privatePage(reply).render(
      <AdminCategoryPage ctx={await request.viewContext(reply)} category={await categories.get(idOf(request))} {...extra} />,
      status,
    );
  const done = (reply: FastifyReply, path: string, notice: CategoryNotice) => reply.redirect(`${path}?done=${notice}`, 303);

  app.get('/admin/categories', { schema: { querystring: NoticeQuery } }, (request, reply) =>
    list(request, reply, { notice: noticeOf(request) }),
  );

  app.post('/admin/categories', { schema: { body: CreateBody } }, async (request, reply) => {
    const values = { name: '', slug: '', ...(request.body as Static<typeof CreateBody>) };
    const result = await categories.create(actorOf(request), values);
    return result.ok ? done(reply, '/admin/categories', 'created') : list(request, reply, { values, errors: result.errors }, result.status);
  });

  app.get('/admin/categories/:id', { schema: { params: IdParams, querystring: NoticeQuery } }, (request, reply) =>
    detail(request, reply, { notice: noticeOf(request) }),
  );

  app.post('/admin/categories/:id/name', { schema: { params: IdParams, body: NameBody } }, async (request, reply) => {
    const name = (request.body as Static<typeof NameBody>).name ?? '';
    const result = await categories.rename(actorOf(request), idOf(request), name);
    return result.ok
      ? done(reply, `/admin/categories/${idOf(request)}`, 'renamed')
      : detail(request, reply, { values: { name }, errors: result.errors }, result.status);
  });

  app.post('/admin/categories/:id/slug', { schema: { params: IdParams, body: SlugBody } }, async (request, reply) => {
    const slug = (request.body as Static<typeof SlugBody>).slug ?? '';
    const result = await categories.changeSlug(actorOf(request), idOf(request), slug);
    return result.ok
      ? done(reply, `/admin/categories/${idOf(request)}`, 'slug')
      : detail(request, reply, { values: { slug }, errors: result.errors }, result.status);
  });

  app.post('/admin/categories/:id/move', { schema: { params: IdParams, body: MoveBody } }, async (request, reply) => {
    await categories.move(actorOf(request), idOf(request), (request.body as Static<typeof MoveBody>).direction);
    return done(reply, '/admin/categories', 'moved');
  });

  app.post('/admin/categories/:id/delete', { schema: { params: IdParams } }, async (request, reply) => {
    try {
      await categories.delete(actorOf(request), idOf(request));
    } catch (err) {
      // Not empty: the category's page again, with how many products keep it (409).
      if (err instanceof AppError && err.code === 'category_not_empty') return detail(request, reply, { error: err.message }, err.status);
      throw err;
    }
    return done(reply, '/admin/categories', 'deleted');
  });
}
