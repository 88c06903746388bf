import type { PaymentGateway } from '../payments/payment-gateway.js';
import type { Executor } from '../platform/db/db.js';

/** The part of the payment gateway that checkout uses. */
export type CheckoutGateway = Pick<
  PaymentGateway,
  'provider' | 'createCheckoutSession' | 'retrieveCheckoutSession' | 'expireCheckoutSession'
>;

/** The part of the cart that checkout uses: what is in it (with its discount code), and taking the bought products out. */
export interface CheckoutCart {
  contents(ownerId: string, tx?: Executor): Promise<{ lines: Array<{ productId: number; quantity: number }>; code: string | null }>;
  removeProducts(tx: Executor, ownerId: string, productIds: number[]): Promise<void>;
}

export interface Buyer {
  sub: string;
  email: string;
  /** the account's name: a first order's billing name */
  name?: string;
}

/** What the buyer reviewed: the total, its currency and the code applied (empty: none). */
export interface Reviewed {
  total: number;
  currency: string;
  code?: string;
}

/** The billing details an invoice names: asked at checkout, prefilled from the buyer's last order. */
export interface Billing {
  name: string;
  /** ISO 3166-1 alpha-2, upper-case: the country whose tax rate applies */
  country: string;
  company?: string;
  address?: string;
  vatId?: string;
}

/** What checkout asks of the tax domain. */
export interface CheckoutTax {
  /** whether catalog prices include tax (the owner's choice) */
  readonly pricesIncludeTax: boolean;
  /**
   * The rate (basis points) of each of `categories` for this buyer on this day, and whether the
   * reverse charge applies; a ValidationError naming `country` or `vatId` when one is not valid.
   */
  assess(
    billing: Pick<Billing, 'country' | 'vatId'>,
    categories: string[],
    at: number,
  ): Promise<{ rates: Record<string, number>; reverseCharge: boolean }>;
}

/** What checkout asks of the discounts domain. */
export interface CheckoutDiscounts {
  /**
   * Each line's discount (minor units, in line order) under `code` for this buyer now; an AppError
   * with a `discount_*` code saying why the code does not apply.
   */
  quote(
    code: string,
    input: { userSub: string; currency: string; lines: Array<{ productId: number; unitPrice: number; quantity: number }>; at: number },
  ): Promise<{ codeId: number; code: string; perLine: number[] }>;
  /** An unpaid order paid again takes back the use it gave up, in the caller's transaction (`discount_exhausted` if gone). */
  retake(tx: Executor, orderId: string): Promise<void>;
  /** Takes one use for the order in the caller's transaction; `discount_exhausted` if the last one went meanwhile. */
  redeem(tx: Executor, input: { codeId: number; orderId: string; userSub: string; at: number }): Promise<void>;
}
