import type { PurchasableProduct, PurchaseService } from '../catalog/purchase.service.js';
import { AppError, ConflictError, ValidationError } from '../platform/errors.js';
import { assertChargeable } from '../payments/charge-minimums.js';
import type { CheckoutLineItem } from '../payments/payment-gateway.js';
import { priceLines, type LineAmounts, type Quote } from '../orders/pricing.js';
import type { Billing, Buyer, CheckoutCart, CheckoutDiscounts, CheckoutTax } from './checkout.types.js';

export interface ReviewLine {
  product: PurchasableProduct;
  quantity: number;
  /** list, discount, rate, net, tax and gross of the line as charged */
  amounts: LineAmounts;
}

/** A cart priced for one buyer's billing details: what the review page shows and the order records. */
export interface PricedCart {
  lines: ReviewLine[];
  quote: Quote;
  currency: string;
  billing: Billing;
  pricesIncludeTax: boolean;
  reverseCharge: boolean;
  /** the cart's code, applied */
  code: { codeId: number; code: string } | null;
  /** why the cart's code was left out of the review (expired, used up …) */
  codeProblem?: string;
}

/** No tax and prices as they are: checkout's tax until the tax domain is wired. */
export const noTax = (pricesIncludeTax: boolean): CheckoutTax => ({
  pricesIncludeTax,
  assess: (_billing, categories) => Promise.resolve({ rates: Object.fromEntries(categories.map((c) => [c, 0])), reverseCharge: false }),
});

/** No codes: checkout's discounts until the discounts domain is wired. */
export const noDiscounts: CheckoutDiscounts = {
  quote: () => Promise.reject(new ConflictError('discount_unknown', 'This shop has no discount codes.')),
  redeem: () => Promise.resolve(),
  retake: () => Promise.resolve(),
};

/** Prices carts from the database: catalog prices, the cart's code, the buyer's tax rates, per-line rounding. */
export function createCheckoutPricing({
  cart,
  purchases,
  tax,
  discounts,
}: {
  cart: CheckoutCart;
  purchases: PurchaseService;
  tax: CheckoutTax;
  discounts: CheckoutDiscounts;
}) {
  async function cartLines(ownerId: string) {
    const { lines, code } = await cart.contents(ownerId);
    if (lines.length === 0) throw new ValidationError('Your cart is empty.', undefined, 'cart_empty');
    const products = await purchases.findProducts(lines.map((l) => l.productId));
    const found = lines.map((l) => {
      const product = products.get(l.productId);
      if (!product || !product.active)
        throw new ConflictError('product_unavailable', 'A product in your cart is no longer available. Please remove it from your cart.');
      return { product, quantity: l.quantity };
    });
    const currency = found[0]!.product.currency;
    if (found.some((l) => l.product.currency !== currency))
      throw new ConflictError('currency_mismatch', 'Your cart mixes currencies; please buy these products separately.');
    return { found, currency, cartCode: code };
  }

  return {
    /**
     * The cart priced for `billing` at `at`. A code that does not apply (any more) is left out and
     * said why, unless `strictCode` names it: the buyer reviewed with it, so confirming without it
     * would charge another total than the one agreed to.
     */
    async price(buyer: Buyer, billing: Billing, at: number, strictCode: string | null = null): Promise<PricedCart> {
      const { found, currency, cartCode } = await cartLines(buyer.sub);
      const categories = [...new Set(found.map((l) => l.product.taxCategory))];
      const assessed = await tax.assess(billing, categories, at);
      let code: PricedCart['code'] = null;
      let perLine: number[] = [];
      let codeProblem: string | undefined;
      if (cartCode) {
        try {
          const input = {
            userSub: buyer.sub,
            currency,
            lines: found.map((l) => ({ productId: l.product.id, unitPrice: l.product.price, quantity: l.quantity })),
            at,
          };
          const q = await discounts.quote(cartCode, input);
          code = { codeId: q.codeId, code: q.code };
          perLine = q.perLine;
        } catch (err) {
          if (!(err instanceof AppError) || err.status >= 500) throw err;
          if (strictCode && strictCode.toUpperCase() === cartCode.toUpperCase())
            throw new ConflictError(
              err.code,
              `The code ${cartCode} no longer applies: ${err.message} Nothing was charged; please check the new total and confirm again.`,
            );
          codeProblem = `The code ${cartCode} is not applied: ${err.message}`;
        }
      }
      const quote = priceLines(
        found.map((l, i) => ({
          unitPrice: l.product.price,
          quantity: l.quantity,
          discount: perLine[i] ?? 0,
          rateBp: assessed.rates[l.product.taxCategory] ?? 0,
        })),
        { pricesIncludeTax: tax.pricesIncludeTax, reverseCharge: assessed.reverseCharge },
      );
      // A code that takes off everything makes a free order (placed without the gateway); without a
      // code a total of 0 is a cart with nothing in it to pay for.
      if (quote.total <= 0 && !code) throw new ValidationError('There is nothing to pay for in your cart.', undefined, 'cart_empty');
      if (quote.total > 0) assertChargeable(quote.total, currency, 'cart');
      return {
        lines: found.map((l, i) => ({ ...l, amounts: quote.lines[i]! })),
        quote,
        currency,
        billing,
        pricesIncludeTax: tax.pricesIncludeTax,
        reverseCharge: assessed.reverseCharge,
        code,
        ...(codeProblem && { codeProblem }),
      };
    },
  };
}

export type CheckoutPricing = ReturnType<typeof createCheckoutPricing>;

const percent = (bp: number) => `${(bp / 100).toLocaleString('en', { maximumFractionDigits: 2 })} %`;

/** One item per line at `amount` for the whole line: by unit when it divides by the quantity, else one item named "× n". */
function item(name: string, quantity: number, amount: number, extra: Partial<CheckoutLineItem>): CheckoutLineItem {
  return amount % quantity === 0
    ? { ...extra, name, unitAmount: amount / quantity, quantity }
    : { ...extra, name: `${name} × ${quantity}`, unitAmount: amount, quantity: 1 };
}

/**
 * The gateway's line items for a priced cart. The store's tax: each line at its gross (tax
 * included, the rate in its description), so the gateway's total is the order's to the cent; a
 * line whose gross does not divide by its quantity (a discount, or the tax rounded on the whole
 * line) goes as one item at the line's amount. `automatic` (TAX_PROVIDER=stripe, a taxed buyer):
 * each line at its amount after the discount, before tax added (exclusive) or with it (inclusive),
 * and the gateway computes the tax on each line for the buyer's country.
 */
export function gatewayItems(p: PricedCart, automatic: boolean): { lineItems: CheckoutLineItem[]; automaticTax?: { country: string } } {
  const lines = p.lines.filter((l) => l.amounts.gross > 0);
  if (automatic && p.quote.tax > 0) {
    const taxBehavior = p.pricesIncludeTax ? ('inclusive' as const) : ('exclusive' as const);
    return {
      lineItems: lines.map((l) => item(l.product.name, l.quantity, l.amounts.list - l.amounts.discount, { taxBehavior })),
      automaticTax: { country: p.billing.country },
    };
  }
  return {
    lineItems: lines.map(({ product, quantity, amounts }) => {
      const description = amounts.tax > 0 ? `incl. ${percent(amounts.rateBp)} tax` : p.reverseCharge ? 'reverse charge: no VAT' : undefined;
      return item(product.name, quantity, amounts.gross, { tax: amounts.tax, ...(description && { description }) });
    }),
  };
}

/**
 * The gateway's line items for an order paid again: each line at the gross it was priced at, as
 * `gatewayItems` sent it, so the new payment page asks exactly the order's total. Orders from before
 * per-line amounts go as they did: units at their price and, over exclusive prices, the tax as a line.
 */
export function orderGatewayItems(
  order: { tax: number; total: number; subtotal: number },
  items: Array<{ name: string; unit_price: number; quantity: number; gross: number | null; tax: number }>,
): CheckoutLineItem[] {
  if (items.every((i) => i.gross !== null))
    return items.filter((i) => i.gross! > 0).map((i) => item(i.name, i.quantity, i.gross!, { tax: i.tax }));
  const units = items.map((i) => ({ name: i.name, unitAmount: i.unit_price, quantity: i.quantity }));
  return order.total > order.subtotal ? units.concat([{ name: 'Tax', unitAmount: order.tax, quantity: 1 }]) : units;
}

/** The order's columns for a priced cart: who is billed, how it was taxed and discounted, its totals. */
export function orderColumns(p: PricedCart) {
  return {
    billing_name: p.billing.name,
    billing_company: p.billing.company ?? null,
    billing_address: p.billing.address ?? null,
    billing_country: p.billing.country,
    billing_vat_id: p.billing.vatId ?? null,
    reverse_charge: p.reverseCharge ? 1 : 0,
    prices_include_tax: p.pricesIncludeTax ? 1 : 0,
    discount_code: p.code?.code ?? null,
    discount: p.quote.discount,
    subtotal: p.quote.subtotal,
    tax: p.quote.tax,
    total: p.quote.total,
  } as const;
}

/** The order's item rows for a priced cart: the product's snapshot and the line's amounts as charged. */
export function orderItemRows(p: PricedCart) {
  return p.lines.map((l) => ({
    product_id: l.product.id,
    sku: l.product.sku,
    name: l.product.name,
    type: l.product.type,
    unit_price: l.product.price,
    quantity: l.quantity,
    download_limit: l.product.downloadLimit,
    access_days: l.product.accessDays,
    discount: l.amounts.discount,
    tax_rate_bp: l.amounts.rateBp,
    tax: l.amounts.tax,
    net: l.amounts.net,
    gross: l.amounts.gross,
  }));
}
