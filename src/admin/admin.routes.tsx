import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, onRequestHookHandler } from 'fastify';
import { AdminOrderPage } from './admin-order.view.js';
import { AdminOrdersPage } from './admin-orders.view.js';
import { AdminProductsPage } from './admin-products.view.js';
import type { AdminService } from './admin.service.js';
import { adminWriteRoutes, type AdminWriteRoutesOptions } from './admin-products.routes.js';
import { adminImageRoutes, type AdminImageRoutesOptions } from './admin-images.routes.js';
import { adminStockRoutes } from './admin-stock.routes.js';
import type { AdminStockService } from './admin-stock.service.js';
import { adminShopRoutes, type AdminShopRoutesOptions } from './admin-shop.routes.js';
import { adminOrderActionsRoutes } from './admin-order-actions.routes.js';
import type { AdminOrderActionsService } from './admin-order-actions.service.js';
import { adminReportsRoutes, type AdminReportsRoutesOptions } from './admin-reports.routes.js';
import { adminTaxRoutes } from './admin-tax.routes.js';
import type { TaxService } from '../tax/tax.service.js';
import { adminDiscountsRoutes } from './admin-discounts.routes.js';
import type { AdminDiscountsService } from './admin-discounts.service.js';

interface AdminRoutesOptions extends AdminWriteRoutesOptions, AdminImageRoutesOptions {
  admin: AdminService;
  /** Categories, customers, donations and messages (admin-shop.routes.tsx). */
  shop: AdminShopRoutesOptions;
  orderActions: AdminOrderActionsService;
  reports: AdminReportsRoutesOptions;
  /** 404 for everyone but the owner (auth's requireOwner). */
  requireOwner: onRequestHookHandler;
  /** key pools and product files (admin-stock.routes.tsx) */
  stock: AdminStockService;
  /** the rates table (admin-tax.routes.tsx) */
  tax: TaxService;
  /** discount codes (admin-discounts.routes.tsx) */
  discounts?: AdminDiscountsService;
}

// Lengths only: the service parses the values, so a bad one gets its own clear message.
const OrdersQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 320 })),
  status: Type.Optional(Type.String({ maxLength: 40 })),
  from: Type.Optional(Type.String({ maxLength: 40 })),
  to: Type.Optional(Type.String({ maxLength: 40 })),
  sku: Type.Optional(Type.String({ maxLength: 100 })),
  page: Type.Optional(Type.String({ maxLength: 20 })),
});
const ProductsQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  type: Type.Optional(Type.String({ maxLength: 40 })),
  category: Type.Optional(Type.String({ maxLength: 100 })),
  status: Type.Optional(Type.String({ maxLength: 40 })),
  low: Type.Optional(Type.String({ maxLength: 5 })),
  page: Type.Optional(Type.String({ maxLength: 20 })),
});
const OrderParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const OrderQuery = Type.Object({ done: Type.Optional(Type.String({ maxLength: 40 })) });

/** Owner pages hold buyers' data: never kept by any cache. */
const privatePage = (reply: FastifyReply) => reply.header('cache-control', 'private, no-store');

/**
 * The shop owner's pages under /admin (stock changes are still the owner CLI's; refunds are made from both).
 * The guard is an onRequest hook of this whole plugin: it runs before validation, so nobody else
 * can tell an admin URL from an unknown one, and no route added here can forget it.
 */
export async function adminRoutes(
  app: FastifyInstance,
  { admin, requireOwner, shop, orderActions, reports, tax, discounts, ...writes }: AdminRoutesOptions,
) {
  app.addHook('onRequest', requireOwner);
  adminWriteRoutes(app, { ...writes, taxCategories: () => tax.categories() });
  adminImageRoutes(app, writes);
  adminStockRoutes(app, writes.stock);
  adminShopRoutes(app, shop);
  adminOrderActionsRoutes(app, { orderActions, admin });
  adminReportsRoutes(app, admin, reports);
  adminTaxRoutes(app, { tax });
  if (discounts) adminDiscountsRoutes(app, { discounts });

  app.get('/admin/orders', { schema: { querystring: OrdersQuery } }, async (request, reply) => {
    const list = await admin.searchOrders(request.query as Static<typeof OrdersQuery>);
    return privatePage(reply).render(<AdminOrdersPage ctx={await request.viewContext(reply)} list={list} />);
  });

  app.get('/admin/orders/:id', { schema: { params: OrderParams, querystring: OrderQuery } }, async (request, reply) => {
    const detail = await admin.getOrder((request.params as Static<typeof OrderParams>).id);
    const { done } = request.query as Static<typeof OrderQuery>;
    return privatePage(reply).render(<AdminOrderPage ctx={await request.viewContext(reply)} detail={detail} done={done} />);
  });

  app.get('/admin/products', { schema: { querystring: ProductsQuery } }, async (request, reply) => {
    const list = await admin.listProducts(request.query as Static<typeof ProductsQuery>);
    return privatePage(reply).render(<AdminProductsPage ctx={await request.viewContext(reply)} list={list} />);
  });
}
