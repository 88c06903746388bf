import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';
import { formatMoney } from '../platform/money.js';
import { ItemsTable, type ItemsTableFoot } from '../orders/items-table.view.js';
import { COUNTRIES, type BillingErrors, type BillingField, type BillingForm } from './checkout.billing.js';
import type { PricedCart } from './checkout.pricing.js';

interface CheckoutPageProps {
  ctx: ViewContext;
  review: PricedCart | null;
  /** why the cart cannot be bought as it is, or what changed */
  problem?: string;
  form: BillingForm;
  errors: BillingErrors;
  idempotencyKey: string;
}

const percent = (bp: number) => `${(bp / 100).toLocaleString('en', { maximumFractionDigits: 2 })} %`;

/** A labelled billing input with its error message tied to it for screen readers. */
function Field({
  name,
  label,
  errors,
  hint,
  children,
}: {
  name: BillingField;
  label: string;
  errors: BillingErrors;
  hint?: string;
  children: (a: Record<string, string | undefined>) => preact.JSX.Element;
}) {
  const id = `checkout-${name}`;
  const described = [hint ? `${id}-hint` : '', errors[name] ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={errors[name] ? 'field invalid' : 'field'}>
      <label for={id}>{label}</label>
      {hint && (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {children({ id, name, 'aria-invalid': errors[name] ? 'true' : undefined, 'aria-describedby': described })}
      {errors[name] && (
        <p class="field-error" id={`${id}-error`}>
          {errors[name]}
        </p>
      )}
    </div>
  );
}

/** The totals under the lines: discount, tax per rate (included or added), the reverse charge, the total. */
function footOf(review: PricedCart, money: (n: number) => string): ItemsTableFoot[] {
  const { quote, pricesIncludeTax, code } = review;
  const rows: ItemsTableFoot[] = [];
  if (quote.discount > 0) {
    rows.push({ label: 'Subtotal', value: money(quote.subtotal) });
    rows.push({ label: `Discount (code ${code?.code ?? ''})`, value: `−${money(quote.discount)}` });
  }
  // Under the reverse charge inclusive prices lose their VAT: without this row subtotal − discount ≠ total.
  const deducted = pricesIncludeTax && review.reverseCharge ? quote.subtotal - quote.discount - quote.net : 0;
  if (deducted > 0) rows.push({ label: 'VAT included in the prices, deducted (reverse charge)', value: `−${money(deducted)}` });
  if (!pricesIncludeTax) rows.push({ label: 'Net', value: money(quote.net) });
  for (const r of quote.byRate.filter((x) => x.tax > 0))
    rows.push({ label: `${pricesIncludeTax ? 'Included tax' : 'Tax'} ${percent(r.rateBp)} on ${money(r.net)}`, value: money(r.tax) });
  rows.push({ label: 'Total to pay', value: money(quote.total), total: true });
  return rows;
}

/** GET /checkout: the billing details, the priced summary and the button that goes to payment. */
export function CheckoutPage({ ctx, review, problem, form, errors, idempotencyKey }: CheckoutPageProps) {
  const money = (n: number) => formatMoney(n, review?.currency ?? 'EUR');
  const invalid = Object.keys(errors).length > 0;
  return (
    <Layout ctx={ctx} title="Checkout">
      <section class="checkout">
        <h1>Checkout</h1>
        {problem && (
          <p class="notice error" role="alert">
            {problem} {!invalid && <a href="/cart">Back to your cart</a>}
          </p>
        )}
        {review?.codeProblem && (
          <p class="notice" role="status">
            {review.codeProblem}
          </p>
        )}
        {review && (
          <ItemsTable
            rows={review.lines.map((l) => ({
              product: (
                <>
                  {l.product.name}
                  {l.amounts.discount > 0 && <small class="line-note"> (discount −{money(l.amounts.discount)})</small>}
                  {l.amounts.tax > 0 && (
                    <small class="line-note">
                      {' '}
                      (net {money(l.amounts.net)}, tax {percent(l.amounts.rateBp)} {money(l.amounts.tax)})
                    </small>
                  )}
                </>
              ),
              quantity: l.quantity,
              price: money(l.product.price),
              amount: money(l.amounts.gross),
            }))}
            foot={footOf(review, money)}
          />
        )}
        {review?.reverseCharge && (
          <p class="reverse-charge">
            Reverse charge: no VAT is charged{review.pricesIncludeTax && ' (the VAT included in the prices is deducted)'}; as a business in
            another EU country you account for the VAT yourself (Article 196 of Directive 2006/112/EC).
          </p>
        )}
        {/* An empty cart or one that cannot be bought has nothing to bill; a refused field keeps the form. */}
        {(review || invalid) && (
          <form method="post" action="/checkout" class="checkout-form" novalidate>
            <fieldset>
              <legend>Billing details</legend>
              <Field name="billingName" label="Name" errors={errors}>
                {(a) => <input {...a} type="text" autocomplete="name" required maxLength={200} value={form.billingName} />}
              </Field>
              <Field name="billingCompany" label="Company (optional)" errors={errors}>
                {(a) => <input {...a} type="text" autocomplete="organization" maxLength={200} value={form.billingCompany} />}
              </Field>
              <Field name="billingAddress" label="Address (optional)" errors={errors}>
                {(a) => <textarea {...a} rows={3} autocomplete="street-address" maxLength={500} value={form.billingAddress} />}
              </Field>
              <Field name="billingCountry" label="Country" errors={errors} hint="The tax rate of this country applies.">
                {(a) => (
                  <select {...a} autocomplete="country" required>
                    {!form.billingCountry && <option value="">Choose your country</option>}
                    {COUNTRIES.map((c) => (
                      <option value={c.code} selected={c.code === form.billingCountry.toUpperCase()}>
                        {c.name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field
                name="billingVatId"
                label="VAT ID (optional)"
                errors={errors}
                hint="Businesses in the EU: with a valid VAT ID of another EU country no VAT is charged."
              >
                {(a) => <input {...a} type="text" autocomplete="off" maxLength={20} value={form.billingVatId} />}
              </Field>
            </fieldset>
            {review && (
              <>
                {review.quote.total === 0 ? (
                  <p class="free-order">
                    Your code {review.code?.code} takes off the whole total: nothing to pay. Keys and downloads are on your order page as
                    soon as you place the order.
                  </p>
                ) : (
                  <p>
                    Keys and downloads are delivered to your order page as soon as the payment is confirmed. Pool keys are held for you
                    while you pay.
                  </p>
                )}
                <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
                <input type="hidden" name="reviewedTotal" value={String(review.quote.total)} />
                <input type="hidden" name="reviewedCurrency" value={review.currency} />
                <input type="hidden" name="reviewedCode" value={review.code?.code ?? ''} />
                <button type="submit" class="button primary">
                  {review.quote.total === 0 ? 'Get it free' : `Pay ${money(review.quote.total)}`}
                </button>
              </>
            )}
            {/* Without JavaScript: the same fields re-priced for another country or VAT ID, nothing ordered. After Pay, so that Pay stays the form's default button. */}
            <button type="submit" class="button" formaction="/checkout" formmethod="get">
              Update total
            </button>
          </form>
        )}
      </section>
    </Layout>
  );
}
