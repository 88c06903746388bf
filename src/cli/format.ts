import { formatMoney } from '../platform/money.js';

/** Epoch ms as `2025-03-01 14:05` (UTC, said once in each listing's header); `-` for none. */
export function when(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
}

/** Minor units as the shop shows them (€19.99). */
export const money = (amount: number, currency: string) => formatMoney(amount, currency);
