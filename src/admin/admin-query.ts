import { orderStates, type OrderState } from '../orders/order-state.js';
import type { OrderSearch } from '../orders/orders.types.js';
import type { ProductStatus, ProductType } from '../platform/db/schema.js';
import { ValidationError } from '../platform/errors.js';
import { parsePageParam } from '../platform/pagination.js';

/** Order states as the owner reads them (plainer than the buyer's wording, same order as the state table). */
export const ownerStatusLabels: Record<OrderState, string> = {
  pending: 'Pending (awaiting payment)',
  fulfilled: 'Fulfilled',
  failed: 'Payment failed',
  cancelled: 'Cancelled',
  expired: 'Expired',
  needs_attention: 'Needs attention',
  partially_refunded: 'Partially refunded',
  refunded: 'Refunded',
};

export const ownerStatusLabel = (status: string) => ownerStatusLabels[status as OrderState] ?? status;

export const productStatuses: readonly ProductStatus[] = ['draft', 'active', 'archived'];

const ID_PREFIX = /^(ord_[0-9a-f]{0,24}|[0-9a-f]{1,24})$/;
const ID_HEX_LENGTH = 24;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
/** `#1042`: bare digits stay an id beginning, as ids are hex. */
const ORDER_NUMBER = /^#\s*(\d{1,15})$/;

/** What `?q=` asks for: everything, orders whose id starts with a prefix, or one buyer's address. */
export type OrderQuery =
  { kind: 'all' } | { kind: 'id'; prefix: string } | { kind: 'email'; email: string } | { kind: 'number'; orderNumber: number };

/**
 * Reads the search box. `#1042` is an order's short number; `ord_…` or bare hex digits (any case, a whole id or its beginning) search
 * order ids; anything with an `@` is one buyer's whole address, matched without regard to ASCII
 * case. Both are index lookups; a "contains" search would read every order, so it is refused with
 * a hint instead.
 */
export function parseOrderQuery(raw: string | undefined): OrderQuery {
  const q = (raw ?? '').trim();
  if (q === '') return { kind: 'all' };
  const lower = q.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const number = ORDER_NUMBER.exec(q);
  if (number) return { kind: 'number', orderNumber: Number(number[1]) };
  if (ID_PREFIX.test(lower)) return { kind: 'id', prefix: lower.startsWith('ord_') ? lower : `ord_${lower}` };
  if (EMAIL.test(q) && q.length <= 320) return { kind: 'email', email: lower };
  throw new ValidationError(
    'Search by an order number (#1042), an order id (ord_…, or its beginning) or a buyer’s whole email address.',
    { q: q.slice(0, 100) },
    'invalid_search',
  );
}

/** The repository filter for a query and an optional status. */
export function toOrderSearch(query: OrderQuery, status: OrderState | null): OrderSearch {
  const search: OrderSearch = status ? { status } : {};
  if (query.kind === 'email') search.emailLower = query.email;
  if (query.kind === 'number') search.orderNumber = query.orderNumber;
  if (query.kind === 'id') {
    // Every id is `ord_` + 24 lower-case hex digits, so the ids with a prefix fill one closed range.
    const rest = ID_HEX_LENGTH - (query.prefix.length - 4);
    search.idFrom = query.prefix + '0'.repeat(rest);
    search.idTo = query.prefix + 'f'.repeat(rest);
  }
  return search;
}

/** `?status=` for orders: empty means every state; anything else must be one of them. */
export function parseOrderStatus(raw: string | undefined): OrderState | null {
  if (raw === undefined || raw === '') return null;
  if ((orderStates as readonly string[]).includes(raw)) return raw as OrderState;
  throw new ValidationError(
    `There is no order status "${raw.slice(0, 40)}". Choose one of: ${orderStates.join(', ')}.`,
    undefined,
    'invalid_status',
  );
}

/** `?status=` for products: empty means every status. */
export function parseProductStatus(raw: string | undefined): ProductStatus | null {
  if (raw === undefined || raw === '') return null;
  if ((productStatuses as readonly string[]).includes(raw)) return raw as ProductStatus;
  throw new ValidationError(
    `There is no product status "${raw.slice(0, 40)}". Choose one of: ${productStatuses.join(', ')}.`,
    undefined,
    'invalid_status',
  );
}

/** `?page=`: a whole number from 1; anything else is a 400 with a clear message. */
export function parsePage(raw: string | undefined): number {
  const page = parsePageParam(raw);
  if (page === null) throw new ValidationError('The page number must be a whole number, 1 or more.', undefined, 'invalid_page');
  return page;
}

export const productTypes: readonly ProductType[] = ['key_lim', 'key', 'file'];

/** A product type filter: null for any; `invalid_type` (400) for an unknown one. */
export function parseProductType(raw: string | undefined): ProductType | null {
  if (raw === undefined || raw === '') return null;
  if ((productTypes as readonly string[]).includes(raw)) return raw as ProductType;
  throw new ValidationError(
    `There is no product type "${raw.slice(0, 40)}". Choose one of: ${productTypes.join(', ')}.`,
    undefined,
    'invalid_type',
  );
}

/** `?low=1`: only key_lim products at or below their low-stock threshold; empty or absent: every product. */
export function parseLowStock(raw: string | undefined): boolean {
  if (raw === undefined || raw === '' || raw === '0') return false;
  if (raw === '1') return true;
  throw new ValidationError('The low-stock filter is 1 (only low pools) or empty.', undefined, 'invalid_filter');
}
