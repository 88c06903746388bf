import type { FastifyInstance } from 'fastify';
import { adminBuyersRoutes, type AdminBuyersRoutesOptions } from './admin-buyers.routes.js';
import { adminCategoriesRoutes } from './admin-categories.routes.js';
import type { AdminCategoriesService } from './admin-categories.service.js';
import { adminMessagesRoutes } from './admin-messages.routes.js';
import type { AdminMessagesService } from './admin-messages.service.js';

export interface AdminShopRoutesOptions extends AdminBuyersRoutesOptions {
  categories: AdminCategoriesService;
  messages: AdminMessagesService;
}

/** Categories, customers, donations and messages; registered inside adminRoutes, behind its owner guard. */
export function adminShopRoutes(app: FastifyInstance, { categories, messages, ...buyers }: AdminShopRoutesOptions) {
  adminCategoriesRoutes(app, { categories });
  adminBuyersRoutes(app, buyers);
  adminMessagesRoutes(app, { messages });
}
