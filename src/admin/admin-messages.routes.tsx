import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { REPLY_MAX } from '../contact/contact.service.js';
import { AdminMessagePage, messageNotices, type MessageNotice } from './admin-message.view.js';
import { AdminMessagesPage } from './admin-messages.view.js';
import type { AdminMessagesService } from './admin-messages.service.js';

const ListQuery = Type.Object({
  status: Type.Optional(Type.String({ maxLength: 40 })),
  page: Type.Optional(Type.String({ maxLength: 20 })),
});
const IdParams = Type.Object({ id: Type.String({ maxLength: 20 }) });
const NoticeQuery = Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) });
// Above the service's limit, so an over-long reply gets its message beside the field.
const ReplyBody = Type.Object({ body: Type.Optional(Type.String({ maxLength: REPLY_MAX * 2 })) });
const StatusBody = Type.Object({ status: Type.Union([Type.Literal('open'), Type.Literal('answered')]) });

const privatePage = (reply: FastifyReply) => reply.header('cache-control', 'private, no-store');
const idOf = (request: FastifyRequest) => (request.params as Static<typeof IdParams>).id;

/** /admin/messages: list by state, one conversation, reply, mark open/answered; registered inside adminRoutes, behind its owner guard. */
export function adminMessagesRoutes(app: FastifyInstance, { messages }: { messages: AdminMessagesService }) {
  const conversation = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { notice?: MessageNotice | null; body?: string; error?: string } = {},
    status = 200,
  ) =>
    privatePage(reply).render(
      <AdminMessagePage ctx={await request.viewContext(reply)} conversation={await messages.get(idOf(request))} {...extra} />,
      status,
    );

  app.get('/admin/messages', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const list = await messages.list(request.query as Static<typeof ListQuery>);
    return privatePage(reply).render(<AdminMessagesPage ctx={await request.viewContext(reply)} list={list} />);
  });

  app.get('/admin/messages/:id', { schema: { params: IdParams, querystring: NoticeQuery } }, (request, reply) => {
    const done = (request.query as Static<typeof NoticeQuery>).done;
    return conversation(request, reply, { notice: done && done in messageNotices ? (done as MessageNotice) : null });
  });

  app.post('/admin/messages/:id/reply', { schema: { params: IdParams, body: ReplyBody } }, async (request, reply) => {
    const body = (request.body as Static<typeof ReplyBody>).body ?? '';
    const result = await messages.reply({ sub: request.user!.sub, email: request.user!.email }, idOf(request), body);
    if (!result.ok) return conversation(request, reply, { body, error: result.errors.body ?? 'Please write your reply.' }, 400);
    return reply.redirect(`/admin/messages/${idOf(request)}?done=sent`, 303);
  });

  app.post('/admin/messages/:id/status', { schema: { params: IdParams, body: StatusBody } }, async (request, reply) => {
    const { status } = request.body as Static<typeof StatusBody>;
    await messages.mark({ sub: request.user!.sub, email: request.user!.email }, idOf(request), status);
    return reply.redirect(`/admin/messages/${idOf(request)}?done=${status}`, 303);
  });
}
