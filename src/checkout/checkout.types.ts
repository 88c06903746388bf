import type { PaymentGateway } from '../payments/payment-gateway.js';
import type { Executor } from '../platform/db/db.js';

/** The part of the payment gateway that checkout uses. */
export type CheckoutGateway = Pick<
  PaymentGateway,
  'provider' | 'createCheckoutSession' | 'retrieveCheckoutSession' | 'expireCheckoutSession'
>;

/** The part of the cart that checkout uses: what is in it, and taking the bought products out. */
export interface CheckoutCart {
  lines(ownerId: string, tx?: Executor): Promise<Array<{ productId: number; quantity: number }>>;
  removeProducts(tx: Executor, ownerId: string, productIds: number[]): Promise<void>;
}

export interface Buyer {
  sub: string;
  email: string;
}
