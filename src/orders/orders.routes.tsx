import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { NotFoundError } from '../platform/errors.js';
import { OrderPage } from './order.view.js';
import { OrdersPage } from './orders.view.js';
import type { OrdersService } from './orders.service.js';

interface OrdersRoutesOptions {
  orders: OrdersService;
  requireUser: preHandlerHookHandler;
  userSub: (request: FastifyRequest) => string;
}

const ORDER_ID = /^ord_[0-9a-f]{24}$/;
const ListQuery = Type.Object({ page: Type.Optional(Type.String({ maxLength: 20 })) });

/** GET /orders and GET /orders/:id, for the logged-in buyer only. */
export async function ordersRoutes(app: FastifyInstance, { orders, requireUser, userSub }: OrdersRoutesOptions) {
  app.get('/orders', { preHandler: requireUser, schema: { querystring: ListQuery } }, async (request, reply) => {
    const { page } = request.query as Static<typeof ListQuery>;
    const list = await orders.listOrdersOfUser(userSub(request), page);
    return reply.header('cache-control', 'no-store').render(<OrdersPage ctx={await request.viewContext(reply)} {...list} />);
  });

  app.get('/orders/:id', { preHandler: requireUser }, async (request, reply) => {
    const { id } = request.params as { id: string };
    // A malformed id is answered like someone else's order: 404, nothing about existence leaks.
    if (!ORDER_ID.test(id)) throw new NotFoundError('We could not find that order.', 'order_not_found');
    const { order, items } = await orders.getOrderForUser(id, userSub(request));
    return reply.header('cache-control', 'no-store').render(<OrderPage ctx={await request.viewContext(reply)} order={order} items={items} />);
  });
}
