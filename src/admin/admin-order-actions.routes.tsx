import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditActor } from '../audit/audit.service.js';
import type { ActionResult, AdminOrderActionsService } from './admin-order-actions.service.js';
import { AdminOrderPage } from './admin-order.view.js';
import type { AdminService } from './admin.service.js';

export interface AdminOrderActionsRoutesOptions {
  orderActions: AdminOrderActionsService;
  admin: Pick<AdminService, 'getOrder'>;
}

// Lengths above the service's own limits, so an over-long note gets its message beside the field.
const one = (max: number) => Type.Optional(Type.String({ maxLength: max }));
const OrderParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const RefundBody = Type.Object({ item: one(40), units: one(40), reason: one(4000), seen: one(40) });
const DownloadsBody = Type.Object({ action: one(40), item: one(40), days: one(40) });
const ResolveBody = Type.Object({ outcome: one(40), note: one(4000), seen: one(40) });
const EmptyBody = Type.Optional(Type.Object({}));

type Params = Static<typeof OrderParams>;
const actorOf = (request: FastifyRequest): AuditActor => ({ sub: request.user!.sub, email: request.user!.email });

/**
 * The owner's actions on an order: refund, resend the receipt, reset or extend downloads, resolve an
 * order in attention. Each is a POST that ends in a 303 back to the order page (`?done=`), or shows
 * the page again with the refused form's messages. Registered inside adminRoutes, behind its guard.
 */
export function adminOrderActionsRoutes(app: FastifyInstance, { orderActions, admin }: AdminOrderActionsRoutesOptions) {
  const finish = async (request: FastifyRequest, reply: FastifyReply, id: string, result: ActionResult) => {
    if (result.ok) return reply.redirect(`/admin/orders/${id}?done=${result.done}`, 303);
    const detail = await admin.getOrder(id);
    const page = <AdminOrderPage ctx={await request.viewContext(reply)} detail={detail} failed={result} />;
    return reply.header('cache-control', 'private, no-store').render(page, result.status);
  };

  app.post('/admin/orders/:id/refund', { schema: { params: OrderParams, body: RefundBody } }, async (request, reply) => {
    const { id } = request.params as Params;
    return finish(request, reply, id, await orderActions.refund(actorOf(request), id, request.body as Static<typeof RefundBody>));
  });

  app.post('/admin/orders/:id/receipt', { schema: { params: OrderParams, body: EmptyBody } }, async (request, reply) => {
    const { id } = request.params as Params;
    return finish(request, reply, id, await orderActions.resendReceipt(actorOf(request), id));
  });

  app.post('/admin/orders/:id/downloads', { schema: { params: OrderParams, body: DownloadsBody } }, async (request, reply) => {
    const { id } = request.params as Params;
    return finish(
      request,
      reply,
      id,
      await orderActions.adjustDownloads(actorOf(request), id, request.body as Static<typeof DownloadsBody>),
    );
  });

  app.post('/admin/orders/:id/resolve', { schema: { params: OrderParams, body: ResolveBody } }, async (request, reply) => {
    const { id } = request.params as Params;
    return finish(request, reply, id, await orderActions.resolve(actorOf(request), id, request.body as Static<typeof ResolveBody>));
  });
}
