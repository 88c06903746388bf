import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { NotFoundError } from '../platform/errors.js';
import type { Seller } from './invoice.js';
import { renderInvoicePdf } from './invoice.pdf.js';
import { InvoicePage } from './invoice.view.js';
import { OrderPage } from './order.view.js';
import { OrdersPage } from './orders.view.js';
import type { OrderPageService } from './order-page.service.js';
import type { OrdersService } from './orders.service.js';

interface OrdersRoutesOptions {
  orders: OrdersService;
  orderPages: OrderPageService;
  seller: Seller;
  taxRate: number;
  requireUser: preHandlerHookHandler;
  userSub: (request: FastifyRequest) => string;
}

const ORDER_ID = /^ord_[0-9a-f]{24}$/;
const ListQuery = Type.Object({ page: Type.Optional(Type.String({ maxLength: 20 })) });
const InvoiceQuery = Type.Object({ format: Type.Optional(Type.Union([Type.Literal('html'), Type.Literal('pdf')])) });
const ItemParams = Type.Object({ id: Type.String({ maxLength: 64 }), itemId: Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 }) });
const RevealBody = Type.Object({ unit: Type.Integer({ minimum: 0, maximum: 10_000 }) });
/** Key reveals per signed-in user: enough for a person, too few to scrape. */
const revealLimit = { max: 30, timeWindow: 60_000, keyGenerator: (request: FastifyRequest) => request.user?.sub ?? request.ip };
const checkId = (id: string) => {
  // A malformed id is answered like someone else's order: 404, nothing about existence leaks.
  if (!ORDER_ID.test(id)) throw new NotFoundError('We could not find that order.', 'order_not_found');
};

/** GET /orders and GET /orders/:id, for the logged-in buyer only. */
export async function ordersRoutes(
  app: FastifyInstance,
  { orders, orderPages, seller, taxRate, requireUser, userSub }: OrdersRoutesOptions,
) {
  app.get('/orders', { preHandler: requireUser, schema: { querystring: ListQuery } }, async (request, reply) => {
    const { page } = request.query as Static<typeof ListQuery>;
    const list = await orders.listOrdersOfUser(userSub(request), page);
    return reply.header('cache-control', 'no-store').render(<OrdersPage ctx={await request.viewContext(reply)} {...list} />);
  });

  app.get('/orders/:id', { preHandler: requireUser }, async (request, reply) => {
    const { id } = request.params as { id: string };
    checkId(id);
    const page = await orderPages.getOrderPage(id, userSub(request));
    return reply.header('cache-control', 'no-store').render(<OrderPage ctx={await request.viewContext(reply)} {...page} />);
  });

  // Revealing a key answers with the order page showing it (never in a URL, never cached).
  app.post(
    '/orders/:id/items/:itemId/key',
    { preHandler: requireUser, schema: { params: ItemParams, body: RevealBody }, config: { rateLimit: revealLimit } },
    async (request, reply) => {
      const { id, itemId } = request.params as Static<typeof ItemParams>;
      checkId(id);
      const page = await orderPages.revealKey(id, itemId, (request.body as Static<typeof RevealBody>).unit, {
        sub: userSub(request),
        ip: request.ip,
      });
      return reply.header('cache-control', 'no-store').render(<OrderPage ctx={await request.viewContext(reply)} {...page} />);
    },
  );

  const invoice = async (request: FastifyRequest, reply: FastifyReply, id: string, pdf: boolean) => {
    checkId(id);
    const data = await orders.getInvoice(id, userSub(request), seller, taxRate);
    reply.header('cache-control', 'private, no-store');
    if (!pdf) return reply.render(<InvoicePage ctx={await request.viewContext(reply)} invoice={data} />);
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="invoice-${data.number}.pdf"`)
      .send(await renderInvoicePdf(data));
  };
  app.get('/order/:id/invoice', { preHandler: requireUser, schema: { querystring: InvoiceQuery } }, async (request, reply) => {
    const { format } = request.query as Static<typeof InvoiceQuery>;
    return invoice(request, reply, (request.params as { id: string }).id, format === 'pdf');
  });
  app.get('/order/:id/invoice.pdf', { preHandler: requireUser }, async (request, reply) =>
    invoice(request, reply, (request.params as { id: string }).id, true),
  );
}
