import type { CreditNotesService } from '../orders/credit-notes.service.js';
import type { CatalogService } from '../catalog/catalog.service.js';
import { LOW_STOCK } from '../catalog/stock.js';
import type { PaymentEventsService } from '../payments/payment-events.service.js';
import { judgeGrant, type GrantVerdict } from '../fulfilment/download-state.js';
import type { FulfilmentService } from '../fulfilment/fulfilment.service.js';
import type { KeyPoolService, PoolCounts } from '../fulfilment/key-pool.service.js';
import { orderStates, type OrderState } from '../orders/order-state.js';
import type { OrdersService } from '../orders/orders.service.js';
import type { ProductType } from '../platform/db/schema.js';
import { NotFoundError } from '../platform/errors.js';
import type { MailService } from '../platform/mail/mail.service.js';
import { paginate, type Pagination } from '../platform/pagination.js';
import {
  parseLowStock,
  parseOrderQuery,
  parseOrderStatus,
  parsePage,
  parseProductStatus,
  parseProductType,
  toOrderSearch,
} from './admin-query.js';
import { parseDateRange, parseSkuFilter } from './admin-order-filters.js';

export const ORDERS_PAGE_SIZE = 25;
export const PRODUCTS_PAGE_SIZE = 25;
const ORDER_ID = /^ord_[0-9a-f]{24}$/;

export interface AdminDeps {
  orders: Pick<OrdersService, 'searchOrders' | 'countByStatus' | 'findByStatus' | 'findOrder' | 'findItems' | 'findEvents'>;
  paymentEvents: Pick<PaymentEventsService, 'findEventsOfOrder'>;
  fulfilment: Pick<FulfilmentService, 'findDeliveries'>;
  catalog: Pick<CatalogService, 'listProductsForOwner' | 'listNavCategories'>;
  keyPool: Pick<KeyPoolService, 'countByStatus' | 'findLowPools'>;
  mail: Pick<MailService, 'countBacklog'>;
  /** the order view's credit notes (none listed without) */
  creditNotes?: Pick<CreditNotesService, 'listOfOrder'>;
  clock?: () => number;
}

/** A delivered key as the owner sees it: which unit, what kind, its state. Never the key itself. */
export interface KeyUnitStatus {
  itemId: number;
  unit: number;
  source: 'pool' | 'signed';
  status: 'active' | 'revoked';
  revealedAt: number | null;
}

export interface GrantStatus {
  itemId: number;
  unit: number;
  downloadsUsed: number;
  downloadLimit: number;
  expiresAt: number;
  verdict: GrantVerdict;
}

/** The shop owner's views that read: dashboard figures, orders, one order, products with pools. */
export function createAdminService({
  orders,
  paymentEvents,
  fulfilment,
  catalog,
  keyPool,
  mail,
  creditNotes,
  clock = Date.now,
}: AdminDeps) {
  const pageOf = (total: number, page: number, pageSize: number, what: string): Pagination => {
    const pagination = paginate(total, page, pageSize);
    if (page > pagination.pageCount)
      throw new NotFoundError(`There is no page ${page} of ${what}; the last is ${pagination.pageCount}.`, 'page_not_found');
    return pagination;
  };

  return {
    /** Orders per state (needing attention first, with why), mail backlog, low pools; sales are admin-reports'. */
    async getDashboard() {
      const [counts, attention, unsentMail, lowStock] = await Promise.all([
        orders.countByStatus(),
        orders.findByStatus('needs_attention', 20),
        mail.countBacklog(),
        keyPool.findLowPools(20),
      ]);
      const states: OrderState[] = ['needs_attention', ...orderStates.filter((s) => s !== 'needs_attention')];
      return {
        statusCounts: states.map((status) => ({ status, count: counts.get(status) ?? 0 })),
        attention,
        unsentMail,
        lowStock,
        lowStockThreshold: LOW_STOCK,
      };
    },

    /** `GET /admin/orders`: raw query values in, a page of matches out (400 for a bad search, status, date, SKU or page). */
    async searchOrders(raw: { q?: string; status?: string; from?: string; to?: string; sku?: string; page?: string }) {
      const query = parseOrderQuery(raw.q);
      const status = parseOrderStatus(raw.status);
      const { from, to, createdFrom, createdBefore } = parseDateRange(raw.from, raw.to);
      const sku = parseSkuFilter(raw.sku);
      const page = parsePage(raw.page);
      const search = {
        ...toOrderSearch(query, status),
        ...(createdFrom !== undefined ? { createdFrom } : {}),
        ...(createdBefore !== undefined ? { createdBefore } : {}),
        ...(sku ? { sku } : {}),
      };
      const { total, orders: rows } = await orders.searchOrders(search, ORDERS_PAGE_SIZE, (page - 1) * ORDERS_PAGE_SIZE);
      const filters = { q: (raw.q ?? '').trim(), status, from, to, sku };
      return { ...filters, orders: rows, pagination: pageOf(total, page, ORDERS_PAGE_SIZE, 'orders') };
    },

    /** One order with everything that happened to it; key texts never leave the fulfilment domain. */
    async getOrder(id: string) {
      const order = ORDER_ID.test(id) ? await orders.findOrder(id) : undefined;
      if (!order) throw new NotFoundError('There is no order with that id.', 'order_not_found');
      const items = await orders.findItems(id);
      const [events, payments, deliveries] = await Promise.all([
        orders.findEvents(id),
        paymentEvents.findEventsOfOrder(id),
        fulfilment.findDeliveries(items.map((i) => i.id)),
      ]);
      const now = clock();
      const keys: KeyUnitStatus[] = deliveries.keys.map((k) => ({
        itemId: k.order_item_id,
        unit: k.unit_index,
        source: k.license_key_id === null ? 'signed' : 'pool',
        status: k.status,
        revealedAt: k.revealed_at,
      }));
      const grants: GrantStatus[] = deliveries.grants.map((g) => ({
        itemId: g.order_item_id,
        unit: g.unit_index,
        downloadsUsed: g.downloads_used,
        downloadLimit: g.download_limit,
        expiresAt: g.expires_at,
        verdict: judgeGrant(
          { status: g.status, downloadsUsed: g.downloads_used, downloadLimit: g.download_limit, expiresAt: g.expires_at },
          now,
        ),
      }));
      const notes = (await creditNotes?.listOfOrder(id)) ?? [];
      return { order, items, events, payments, keys, grants, creditNotes: notes };
    },

    /** `GET /admin/products`: a page of products; key_lim ones with their pool counts (one grouped query). */
    async listProducts(raw: { q?: string; status?: string; type?: string; category?: string; low?: string; page?: string }) {
      const filter = {
        q: (raw.q ?? '').trim(),
        status: parseProductStatus(raw.status),
        type: parseProductType(raw.type),
        category: (raw.category ?? '').trim().toLowerCase() || null,
        lowStock: parseLowStock(raw.low),
      };
      const page = parsePage(raw.page);
      const [{ total, products }, categories] = await Promise.all([
        catalog.listProductsForOwner(filter, PRODUCTS_PAGE_SIZE, (page - 1) * PRODUCTS_PAGE_SIZE),
        catalog.listNavCategories(),
      ]);
      const pools = await keyPool.countByStatus(products.filter((p) => p.type === 'key_lim').map((p) => p.id));
      const rows = products.map((p) => ({
        ...p,
        pool: pools.get(p.id) ?? null,
        low: isLow(p.type, pools.get(p.id), p.low_stock_threshold ?? LOW_STOCK),
      }));
      const pagination = pageOf(total, page, PRODUCTS_PAGE_SIZE, 'products');
      return { ...filter, categories, products: rows, pagination, lowStockThreshold: LOW_STOCK };
    },
  };
}

/** Low on keys: a key_lim pool at or below its product's threshold (LOW_STOCK, as the shop's "Only N left", by default). */
function isLow(type: ProductType, pool: PoolCounts | undefined, threshold: number): boolean {
  return type === 'key_lim' && (pool?.available ?? 0) <= threshold;
}

export type AdminService = ReturnType<typeof createAdminService>;
export type AdminDashboard = Awaited<ReturnType<AdminService['getDashboard']>>;
export type AdminOrderList = Awaited<ReturnType<AdminService['searchOrders']>>;
export type AdminOrderDetail = Awaited<ReturnType<AdminService['getOrder']>>;
export type AdminProductList = Awaited<ReturnType<AdminService['listProducts']>>;
