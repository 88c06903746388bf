import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { NotFoundError } from '../platform/errors.js';
import type { OrderPageService } from './order-page.service.js';
import { keyAnchor } from './key-deliveries.view.js';
import { OrderPage } from './order-page.view.js';

interface OrderPageRoutesOptions {
  orderPages: OrderPageService;
  requireUser: preHandlerHookHandler;
  userSub: (request: FastifyRequest) => string;
}

const ORDER_ID = /^ord_[0-9a-f]{24}$/;
const ItemParams = Type.Object({ id: Type.String({ maxLength: 64 }), itemId: Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 }) });
const RevealBody = Type.Object({ unit: Type.Integer({ minimum: 0, maximum: 10_000 }) });
/** Key reveals per signed-in user: enough for a person, too few to scrape. */
const revealLimit = { max: 30, timeWindow: 60_000, keyGenerator: (request: FastifyRequest) => request.user?.sub ?? request.ip };
const checkId = (id: string) => {
  // A malformed id is answered like someone else's order: 404, nothing about existence leaks.
  if (!ORDER_ID.test(id)) throw new NotFoundError('We could not find that order.', 'order_not_found');
};

/** GET /orders/:id and revealing a key on it, for the order's owner only. */
export async function orderPageRoutes(app: FastifyInstance, { orderPages, requireUser, userSub }: OrderPageRoutesOptions) {
  app.get('/orders/:id', { preHandler: requireUser }, async (request, reply) => {
    const { id } = request.params as { id: string };
    checkId(id);
    const page = await orderPages.getOrderPage(id, userSub(request));
    return reply.header('cache-control', 'no-store').render(<OrderPage ctx={await request.viewContext(reply)} {...page} />);
  });

  // Post-redirect-get: the reveal is logged, then the order page (which shows every revealed key,
  // never in a URL, never cached) opens at the key, so Reload and Back send nothing again.
  app.post(
    '/orders/:id/items/:itemId/key',
    { preHandler: requireUser, schema: { params: ItemParams, body: RevealBody }, config: { rateLimit: revealLimit } },
    async (request, reply) => {
      const { id, itemId } = request.params as Static<typeof ItemParams>;
      checkId(id);
      const { unit } = request.body as Static<typeof RevealBody>;
      await orderPages.revealKey(id, itemId, unit, { sub: userSub(request), ip: request.ip });
      return reply.redirect(`/orders/${id}#${keyAnchor(itemId, unit)}`, 303);
    },
  );
}
