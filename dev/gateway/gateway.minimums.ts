/**
 * Stripe's smallest charge per currency, in minor units (docs.stripe.com/currencies, "Minimum and
 * maximum charge amounts"). Kept apart from the store's own table on purpose: the gateway plays
 * Stripe, so a mistake in the store's copy shows up as a refusal here, as it would in production.
 */
const MINIMUMS: Readonly<Record<string, number>> = {
  usd: 50,
  aed: 200,
  aud: 50,
  bgn: 100,
  brl: 50,
  cad: 50,
  chf: 50,
  czk: 1500,
  dkk: 250,
  eur: 50,
  gbp: 30,
  hkd: 400,
  huf: 17500,
  inr: 50,
  jpy: 50,
  mxn: 1000,
  myr: 200,
  nok: 300,
  nzd: 50,
  pln: 200,
  ron: 200,
  sek: 300,
  sgd: 50,
  thb: 1000,
};

/** The smallest total a Checkout Session may have in a (lower-case) currency; 1 minor unit where Stripe converts to judge. */
export function minimumCharge(currency: string): number {
  return MINIMUMS[currency] ?? 1;
}
