import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { NotFoundError } from '../platform/errors.js';
import type { Buyer } from './checkout.types.js';
import type { UnpaidOrdersService } from './unpaid-orders.service.js';

interface UnpaidOrdersRoutesOptions {
  unpaidOrders: UnpaidOrdersService;
  requireUser: preHandlerHookHandler;
  buyer: (request: FastifyRequest) => Buyer;
}

const ORDER_ID = /^ord_[0-9a-f]{24}$/;
const orderId = (request: FastifyRequest) => {
  const { id } = request.params as { id: string };
  // A malformed id is answered like someone else's order: 404, nothing about existence leaks.
  if (!ORDER_ID.test(id)) throw new NotFoundError('We could not find that order.', 'order_not_found');
  return id;
};

/** Pay now and Cancel on the buyer's unpaid order (buttons on the order page); both end in a redirect. */
export async function unpaidOrdersRoutes(app: FastifyInstance, { unpaidOrders, requireUser, buyer }: UnpaidOrdersRoutesOptions) {
  app.post('/orders/:id/pay', { preHandler: requireUser }, async (request, reply) => {
    const id = orderId(request);
    const paymentUrl = await unpaidOrders.payNow(id, buyer(request));
    return reply.redirect(paymentUrl ?? `/orders/${id}`, 303);
  });

  app.post('/orders/:id/cancel', { preHandler: requireUser }, async (request, reply) => {
    const id = orderId(request);
    await unpaidOrders.cancel(id, buyer(request));
    return reply.redirect(`/orders/${id}`, 303);
  });
}
