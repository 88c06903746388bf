import type { DiscountField, DiscountFieldErrors, DiscountForm } from '../discounts/discount.input.js';
import { EMPTY_DISCOUNT_FORM, formatAmounts } from '../discounts/discount.input.js';
import type { DiscountSummary } from '../discounts/discounts.service.js';
import type { ViewContext } from '../pages/view-context.js';
import { plural } from '../platform/plural.js';
import { FormNotices, TextField, type TextFieldProps } from './admin-field.view.js';
import { AdminFrame, When } from './admin-frame.view.js';

/** What a redirect after a change says on the page it lands on. */
export const discountNotices = {
  created: 'Discount code created.',
  disabled: 'Discount code disabled. Carts carrying it now say it is not valid.',
} as const;
export type DiscountNotice = keyof typeof discountNotices;

const stateLabel: Record<DiscountSummary['state'], string> = {
  active: 'Active',
  scheduled: 'Scheduled',
  expired: 'Expired',
  exhausted: 'Used up',
  disabled: 'Disabled',
};

/** A field of the new-code form, named after its value. */
const Field = (props: Omit<TextFieldProps, 'id' | 'maxLength'> & { name: DiscountField }) => (
  <TextField {...props} id={`discount-${props.name}`} maxLength={400} />
);

/** The form's fields after the kind: value, label, hint. */
const LIMIT_FIELDS: Array<[Exclude<DiscountField, 'code' | 'kind'>, string, string]> = [
  ['percent', 'Percentage', 'For a percentage code, e.g. 15 or 12.5.'],
  ['amounts', 'Amounts', 'For a fixed code, per currency: EUR 5.00, USD 6.00.'],
  ['products', 'Products (SKUs)', 'Comma-separated; empty with no categories: every product.'],
  ['categories', 'Categories (slugs)', 'Comma-separated.'],
  ['minSubtotal', 'Minimum subtotal', 'Of the eligible lines, per currency: EUR 30.00. Optional.'],
  ['startsAt', 'Starts (UTC)', 'e.g. 2026-12-24 or 2026-12-24T18:00. Optional.'],
  ['endsAt', 'Ends (UTC)', 'The code stops working at this instant. Optional.'],
  ['maxUses', 'Total uses', 'Empty: no limit.'],
  ['maxUsesPerBuyer', 'Uses per buyer', 'Empty: no limit.'],
];

function Amount({ d }: { d: DiscountSummary }) {
  return <>{d.kind === 'percent' ? `${(d.percentBp ?? 0) / 100} %` : formatAmounts(d.amounts)}</>;
}

function Limits({ d }: { d: DiscountSummary }) {
  const parts = [
    d.skus.length ? `Products: ${d.skus.join(', ')}` : '',
    d.slugs.length ? `Categories: ${d.slugs.join(', ')}` : '',
    Object.keys(d.minSubtotals).length ? `Minimum: ${formatAmounts(d.minSubtotals)}` : '',
    d.maxUsesPerBuyer !== null ? `${plural(d.maxUsesPerBuyer, { one: 'use', other: 'uses' })} per buyer` : '',
  ].filter(Boolean);
  return parts.length ? <>{parts.join(' · ')}</> : <span class="none">Any product</span>;
}

/** GET /admin/discounts: every code with its uses, limits and state, a disable button, and the new-code form. */
export function AdminDiscountsPage(props: {
  ctx: ViewContext;
  discounts: DiscountSummary[];
  notice?: DiscountNotice | null;
  values?: DiscountForm;
  errors?: DiscountFieldErrors;
}) {
  const { ctx, discounts, notice, values = EMPTY_DISCOUNT_FORM, errors = {} } = props;
  const failed = Object.keys(errors).length > 0;
  return (
    <AdminFrame ctx={ctx} title="Discount codes" section="discounts">
      <FormNotices notice={notice && discountNotices[notice]} failed={failed} />
      <p class="result-count">
        {discounts.length === 0 ? 'No discount codes yet.' : plural(discounts.length, { one: 'code', other: 'codes' })}
      </p>
      {discounts.length > 0 && (
        <table class="admin-table admin-discounts stack">
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Discount</th>
              <th scope="col">Applies to</th>
              <th scope="col">From</th>
              <th scope="col">Until</th>
              <th scope="col" class="num">
                Uses
              </th>
              <th scope="col">State</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {discounts.map((d) => (
              <tr data-code={d.code}>
                <td>
                  <code>{d.code}</code>
                </td>
                <td data-label="Discount">
                  <Amount d={d} />
                </td>
                <td data-label="Applies to">
                  <Limits d={d} />
                </td>
                <td data-label="From">
                  <When ms={d.startsAt} />
                </td>
                <td data-label="Until">
                  <When ms={d.endsAt} />
                </td>
                <td class="num" data-label="Uses" data-role="uses">
                  {d.maxUses === null ? `${d.uses} / no limit` : `${d.uses} / ${d.maxUses}`}
                </td>
                <td data-label="State" data-role="state">
                  {stateLabel[d.state]}
                </td>
                <td>
                  {d.state !== 'disabled' && (
                    <form method="post" action={`/admin/discounts/${encodeURIComponent(d.code)}/disable`} class="inline-form">
                      <button type="submit" class="secondary" aria-label={`Disable ${d.code}`}>
                        Disable
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>New discount code</h2>
      <form class="admin-product-form admin-discount-form" method="post" action="/admin/discounts" novalidate>
        <Field
          name="code"
          label="Code"
          value={values.code}
          error={errors.code}
          hint="Letters, digits, dashes; buyers may type it in any case."
        />
        <fieldset class={errors.kind ? 'field invalid' : 'field'} aria-describedby={errors.kind ? 'discount-kind-error' : undefined}>
          <legend>Kind</legend>
          <label class="choice">
            <input type="radio" name="kind" value="percent" checked={values.kind !== 'fixed'} /> Percentage of each eligible line
          </label>
          <label class="choice">
            <input type="radio" name="kind" value="fixed" checked={values.kind === 'fixed'} /> Fixed amount, spread over the eligible lines
          </label>
          {errors.kind && (
            <p class="field-error" id="discount-kind-error">
              {errors.kind}
            </p>
          )}
        </fieldset>
        {LIMIT_FIELDS.map(([name, label, hint]) => (
          <Field name={name} label={label} value={values[name]} error={errors[name]} hint={hint} />
        ))}
        <div class="form-actions">
          <button type="submit">Create code</button>
        </div>
      </form>
    </AdminFrame>
  );
}
