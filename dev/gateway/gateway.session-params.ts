import { formatAmount, StripeApiError, type LineItem, type SessionRecord } from './gateway.objects.js';
import { minimumCharge } from './gateway.minimums.js';
import * as p from './gateway.params.js';
import { applyAutomaticTax, automaticTaxEnabled } from './gateway.tax.js';
import type { TaxRateRow } from '../../src/tax/tax.rules.js';
import { stripeId } from './gateway.signing.js';

const SESSION_PARAMS = [
  'mode',
  'line_items',
  'success_url',
  'cancel_url',
  'client_reference_id',
  'customer_email',
  'metadata',
  'payment_intent_data',
  'expires_at',
  'submit_type',
  'locale',
  'expand',
  'payment_method_types',
  'automatic_tax',
];

/** Parses `line_items` (price_data only: the store sends prices inline, never catalog price ids). */
function lineItems(params: p.Params): { items: LineItem[]; currency: string } {
  const raw = p.optionalArray(params, 'line_items');
  if (!raw || raw.length === 0)
    throw new StripeApiError(
      400,
      'You must provide at least one line item in `payment` mode.',
      'invalid_request_error',
      'parameter_missing',
      'line_items',
    );
  const items: LineItem[] = [];
  let currency: string | null = null;
  raw.forEach((entry, i) => {
    const at = `line_items[${i}]`;
    if (typeof entry !== 'object' || Array.isArray(entry))
      throw new StripeApiError(400, `Invalid hash: ${at}`, 'invalid_request_error', 'parameter_invalid', at);
    p.onlyKnown(entry, ['price_data', 'quantity'], at);
    const price = p.optionalObject(entry, 'price_data', `${at}[price_data]`);
    if (!price)
      throw new StripeApiError(
        400,
        `Missing required param: ${at}[price_data]. The development gateway takes inline prices only.`,
        'invalid_request_error',
        'parameter_missing',
        `${at}[price_data]`,
      );
    p.onlyKnown(price, ['currency', 'unit_amount', 'product_data', 'tax_behavior'], `${at}[price_data]`);
    const taxBehavior = p.optionalString(price, 'tax_behavior', `${at}[price_data][tax_behavior]`);
    if (taxBehavior !== null && !['inclusive', 'exclusive', 'unspecified'].includes(taxBehavior))
      throw new StripeApiError(
        400,
        `Invalid ${at}[price_data][tax_behavior]`,
        'invalid_request_error',
        'parameter_invalid',
        `${at}[price_data][tax_behavior]`,
      );
    const c = p.currency(price, 'currency', `${at}[price_data][currency]`);
    if (currency && c !== currency)
      throw new StripeApiError(
        400,
        'All line items must use the same currency.',
        'invalid_request_error',
        'parameter_invalid',
        `${at}[price_data][currency]`,
      );
    currency = c;
    const product = p.optionalObject(price, 'product_data', `${at}[price_data][product_data]`) ?? {};
    items.push({
      name: p.requiredString(product, 'name', `${at}[price_data][product_data][name]`, 250),
      unit_amount: p.requiredInt(price, 'unit_amount', `${at}[price_data][unit_amount]`, 0),
      quantity: p.requiredInt(entry, 'quantity', `${at}[quantity]`, 1),
      ...((taxBehavior === 'inclusive' || taxBehavior === 'exclusive') && { tax_behavior: taxBehavior }),
    });
  });
  return { items, currency: currency! };
}

/**
 * A new open session from the parameters of POST /v1/checkout/sessions, refused as Stripe refuses
 * them (unknown parameters, another mode, expiry out of range, a total under the minimum).
 */
export function newSessionRecord(params: p.Params, created: number, taxRates: readonly TaxRateRow[], nowMs: number): SessionRecord {
  p.onlyKnown(params, SESSION_PARAMS);
  const mode = p.requiredString(params, 'mode');
  if (mode !== 'payment')
    throw new StripeApiError(
      400,
      `The development gateway supports mode=payment only (got ${mode}).`,
      'invalid_request_error',
      'parameter_invalid',
      'mode',
    );
  const { items, currency } = lineItems(params);
  const expiresAt = p.optionalInt(params, 'expires_at') ?? created + 24 * 3600;
  if (expiresAt < created + 30 * 60)
    throw new StripeApiError(
      400,
      'The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.',
      'invalid_request_error',
      'parameter_invalid',
      'expires_at',
    );
  if (expiresAt > created + 24 * 3600)
    throw new StripeApiError(
      400,
      'The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.',
      'invalid_request_error',
      'parameter_invalid',
      'expires_at',
    );
  const metadata = p.metadata(params, 'metadata');
  const automatic = automaticTaxEnabled(params) ? applyAutomaticTax(items, metadata.billing_country, taxRates, nowMs) : null;
  const amount = items.reduce((sum, i) => sum + i.unit_amount * i.quantity, 0) + (automatic?.added ?? 0);
  const minimum = minimumCharge(currency);
  if (amount < minimum)
    throw new StripeApiError(
      400,
      `The Checkout Session's total amount due must add up to at least ${formatAmount(minimum, currency)} ${currency}`,
      'invalid_request_error',
      'amount_too_small',
      'line_items',
    );
  const pid = p.optionalObject(params, 'payment_intent_data') ?? {};
  p.onlyKnown(pid, ['metadata', 'description'], 'payment_intent_data');
  const s: SessionRecord = {
    id: stripeId('cs_test', 24),
    created,
    expires_at: expiresAt,
    status: 'open',
    payment_status: 'unpaid',
    currency,
    amount_total: amount,
    amount_tax: automatic?.tax ?? null,
    line_items: items,
    success_url: p.url(params, 'success_url', true)!,
    cancel_url: p.url(params, 'cancel_url', false),
    client_reference_id: p.optionalString(params, 'client_reference_id', 'client_reference_id', 200),
    customer_email: p.optionalString(params, 'customer_email', 'customer_email', 800),
    metadata,
    payment_intent_metadata: p.metadata(pid, 'metadata', 'payment_intent_data[metadata]'),
    submit_type: p.optionalString(params, 'submit_type'),
    payment_intent: null,
  };
  return s;
}
