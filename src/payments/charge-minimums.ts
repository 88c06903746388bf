import { formatMoney } from '../platform/money.js';
import { AmountBelowMinimumError } from './payments.errors.js';

/**
 * Stripe's smallest charge per presentment currency, in minor units (docs.stripe.com/currencies,
 * "Minimum and maximum charge amounts"). Stripe refuses a Checkout Session below it; other
 * currencies are held to the equivalent of USD 0.50 in the account's settlement currency, which
 * only the gateway can judge.
 */
const STRIPE_MINIMUMS: Readonly<Record<string, number>> = {
  USD: 50,
  AED: 200,
  AUD: 50,
  BGN: 100,
  BRL: 50,
  CAD: 50,
  CHF: 50,
  CZK: 1500,
  DKK: 250,
  EUR: 50,
  GBP: 30,
  HKD: 400,
  HUF: 17500,
  INR: 50,
  JPY: 50,
  MXN: 1000,
  MYR: 200,
  NOK: 300,
  NZD: 50,
  PLN: 200,
  RON: 200,
  SEK: 300,
  SGD: 50,
  THB: 1000,
};

/** The smallest total the gateway takes in a currency (minor units), or null when it does not say. */
export function minimumCharge(currency: string): number | null {
  return STRIPE_MINIMUMS[currency.toUpperCase()] ?? null;
}

/** Throws `amount_below_minimum` for a total the gateway would refuse, so it never gets that far. */
export function assertChargeable(total: number, currency: string, what: 'cart' | 'donation' | 'payment' = 'payment'): void {
  const minimum = minimumCharge(currency);
  if (minimum !== null && total < minimum)
    throw new AmountBelowMinimumError(formatMoney(total, currency.toUpperCase()), formatMoney(minimum, currency.toUpperCase()), what);
}
