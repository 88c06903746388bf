import type { OrderState } from './order-state.js';

/** What a buyer reads for each order state. */
export const orderStatusLabels: Record<OrderState, string> = {
  pending: 'Awaiting payment',
  fulfilled: 'Paid',
  failed: 'Payment failed',
  cancelled: 'Cancelled',
  expired: 'Expired',
  needs_attention: 'Paid — being reviewed',
  partially_refunded: 'Partially refunded',
  refunded: 'Refunded',
};

export const statusLabel = (status: string) => orderStatusLabels[status as OrderState] ?? status;
