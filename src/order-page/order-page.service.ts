import { judgeGrant } from '../fulfilment/download-state.js';
import type { FulfilmentService } from '../fulfilment/fulfilment.service.js';
import type { DownloadFileView, ProductFilesService } from '../fulfilment/product-files.service.js';
import type { KeyActivations, LicensesService } from '../licenses/licenses.service.js';
import type { CreditNotesService } from '../orders/credit-notes.service.js';
import type { OrdersService } from '../orders/orders.service.js';
import type { OrderItemRow, OrderRow } from '../orders/orders.types.js';
import { NotFoundError } from '../platform/errors.js';
import type { GrantView } from './file-downloads.view.js';
import type { KeyUnitView } from './key-deliveries.view.js';

export interface OrderPageData {
  order: OrderRow;
  items: OrderItemRow[];
  /** per order item id */
  deliveries: Map<number, { keys: KeyUnitView[]; grants: GrantView[]; files: DownloadFileView[] }>;
  /** one per refund, oldest first */
  creditNotes: Array<{ printed: string; path: string; total: number }>;
}

/** The buyer's order page: the order with what each item delivered, and revealing a key on it. */
export function createOrderPageService({
  orders,
  fulfilment,
  productFiles,
  licenses,
  creditNotes,
  clock = Date.now,
}: {
  orders: OrdersService;
  fulfilment: FulfilmentService;
  productFiles: Pick<ProductFilesService, 'listFiles'>;
  licenses?: Pick<LicensesService, 'activationsOf'>;
  creditNotes?: Pick<CreditNotesService, 'listOfOrder'>;
  clock?: () => number;
}) {
  async function getOrderPage(orderId: string, userSub: string): Promise<OrderPageData> {
    const { order, items } = await orders.getOrderForUser(orderId, userSub);
    const { keys, grants } = await fulfilment.findDeliveries(items.map((i) => i.id));
    const now = clock();
    const files = await productFiles.listFiles([...new Set(items.filter((i) => i.type === 'file').map((i) => i.product_id))]);
    const deliveries = new Map(
      items.map((i) => [i.id, { keys: [] as KeyUnitView[], grants: [] as GrantView[], files: files.get(i.product_id) ?? [] }]),
    );
    const activations =
      (await licenses?.activationsOf(keys.filter((k) => k.status === 'active').map((k) => k.id))) ?? new Map<number, KeyActivations>();
    const revealed = fulfilment.openRevealedKeys(keys);
    for (const k of keys)
      deliveries
        .get(k.order_item_id)
        ?.keys.push({ unit: k.unit_index, status: k.status, activations: activations.get(k.id), revealed: revealed.get(k.id) });
    for (const g of grants) {
      const state = { status: g.status, downloadsUsed: g.downloads_used, downloadLimit: g.download_limit, expiresAt: g.expires_at };
      deliveries.get(g.order_item_id)?.grants.push({
        unit: g.unit_index,
        verdict: judgeGrant(state, now),
        downloadsUsed: g.downloads_used,
        downloadLimit: g.download_limit,
        expiresAt: g.expires_at,
      });
    }
    // Only a refund issues a credit note, and every refund leaves the order (partially) refunded.
    const refunded = order.status === 'partially_refunded' || order.status === 'refunded';
    const notes = (refunded ? await creditNotes?.listOfOrder(order.id) : undefined) ?? [];
    return { order, items, deliveries, creditNotes: notes };
  }

  return {
    getOrderPage,
    /**
     * Reveals one key of an order to its owner only (anyone else: the same 404 as no order); the
     * reveal is logged, and from then on the order page shows the key.
     */
    async revealKey(orderId: string, itemId: number, unit: number, viewer: { sub: string; ip: string }): Promise<void> {
      const { items } = await orders.getOrderForUser(orderId, viewer.sub);
      if (!items.some((i) => i.id === itemId)) throw new NotFoundError('There is no such license key in this order.', 'key_not_found');
      await fulfilment.revealKey(itemId, unit, viewer);
    },
  };
}

export type OrderPageService = ReturnType<typeof createOrderPageService>;
