import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, onRequestHookHandler } from 'fastify';
import { AdminMessagesPage } from './admin-messages.view.js';
import { AdminOrderPage } from './admin-order.view.js';
import { AdminOrdersPage } from './admin-orders.view.js';
import { AdminProductsPage } from './admin-products.view.js';
import type { AdminService } from './admin.service.js';
import { adminWriteRoutes, type AdminWriteRoutesOptions } from './admin-products.routes.js';
import { adminReportsRoutes, type AdminReportsRoutesOptions } from './admin-reports.routes.js';

interface AdminRoutesOptions extends AdminWriteRoutesOptions {
  admin: AdminService;
  reports: AdminReportsRoutesOptions;
  /** 404 for everyone but the owner (auth's requireOwner). */
  requireOwner: onRequestHookHandler;
}

// Lengths only: the service parses the values, so a bad one gets its own clear message.
const OrdersQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 320 })),
  status: Type.Optional(Type.String({ maxLength: 40 })),
  page: Type.Optional(Type.String({ maxLength: 20 })),
});
const ProductsQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  type: Type.Optional(Type.String({ maxLength: 40 })),
  category: Type.Optional(Type.String({ maxLength: 100 })),
  status: Type.Optional(Type.String({ maxLength: 40 })),
  page: Type.Optional(Type.String({ maxLength: 20 })),
});
const PageQuery = Type.Object({ page: Type.Optional(Type.String({ maxLength: 20 })) });
const OrderParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** Owner pages hold buyers' data: never kept by any cache. */
const privatePage = (reply: FastifyReply) => reply.header('cache-control', 'private, no-store');

/**
 * The shop owner's pages under /admin (refunds and stock changes are still the owner CLI's).
 * The guard is an onRequest hook of this whole plugin: it runs before validation, so nobody else
 * can tell an admin URL from an unknown one, and no route added here can forget it.
 */
export async function adminRoutes(app: FastifyInstance, { admin, requireOwner, reports, ...writes }: AdminRoutesOptions) {
  app.addHook('onRequest', requireOwner);
  adminWriteRoutes(app, writes);
  adminReportsRoutes(app, admin, reports);

  app.get('/admin/orders', { schema: { querystring: OrdersQuery } }, async (request, reply) => {
    const list = await admin.searchOrders(request.query as Static<typeof OrdersQuery>);
    return privatePage(reply).render(<AdminOrdersPage ctx={await request.viewContext(reply)} list={list} />);
  });

  app.get('/admin/orders/:id', { schema: { params: OrderParams } }, async (request, reply) => {
    const detail = await admin.getOrder((request.params as Static<typeof OrderParams>).id);
    return privatePage(reply).render(<AdminOrderPage ctx={await request.viewContext(reply)} detail={detail} />);
  });

  app.get('/admin/products', { schema: { querystring: ProductsQuery } }, async (request, reply) => {
    const list = await admin.listProducts(request.query as Static<typeof ProductsQuery>);
    return privatePage(reply).render(<AdminProductsPage ctx={await request.viewContext(reply)} list={list} />);
  });

  app.get('/admin/messages', { schema: { querystring: PageQuery } }, async (request, reply) => {
    const list = await admin.listMessages(request.query as Static<typeof PageQuery>);
    return privatePage(reply).render(<AdminMessagesPage ctx={await request.viewContext(reply)} list={list} />);
  });
}
