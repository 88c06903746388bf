import type { ViewContext } from '../pages/view-context.js';
import type { TaxRateFieldErrors, TaxService } from '../tax/tax.service.js';
import { AdminFrame } from './admin-frame.view.js';
import { FormNotices, TextField, type TextFieldProps } from './admin-field.view.js';

type RateList = Awaited<ReturnType<TaxService['list']>>;

/** What a redirect after a change says on the page it lands on. */
export const taxNotices = {
  added: 'Rate added. Checkouts from its first day on charge it.',
  removed: 'Row removed. The row before it (if any) holds again from its day.',
} as const;
export type TaxNotice = keyof typeof taxNotices;

export interface TaxRateValues {
  country: string;
  category: string;
  percent: string;
  from: string;
  note: string;
}

/** A field of the new-rate form, named after its value. */
const Field = (props: Omit<TextFieldProps, 'id'> & { name: keyof TaxRateValues }) => <TextField {...props} id={`tax-${props.name}`} />;

const stateLabel = { current: 'in force', upcoming: 'upcoming', past: 'replaced' } as const;

/** GET /admin/tax: every country's rates (the one in force marked), a form to add a row, a button to remove one. */
export function AdminTaxPage(props: {
  ctx: ViewContext;
  rates: RateList;
  categories: string[];
  sellerCountry: string | null;
  notice?: TaxNotice | null;
  values?: TaxRateValues;
  errors?: TaxRateFieldErrors;
}) {
  const { ctx, rates, categories, sellerCountry, notice, errors = {} } = props;
  const values = props.values ?? { country: '', category: 'standard', percent: '', from: '', note: '' };
  return (
    <AdminFrame ctx={ctx} title="Tax rates" section="tax">
      <FormNotices notice={notice && taxNotices[notice]} failed={Object.keys(errors).length > 0} fields="field" />
      <p class="hint">
        {sellerCountry === null
          ? 'Tax is off: no SELLER_COUNTRY is configured, so every order is charged without tax. The rates below apply once it is set.'
          : `Selling from ${sellerCountry}: each order is charged the rate of the buyer’s country and each product’s tax category (no row: 0 %). ` +
            'Business buyers in another EU member state with a VAT ID pay no VAT (reverse charge).'}{' '}
        A change of rate is a new row from its first day; earlier orders keep the rate they were charged.
      </p>
      <h2 id="tax-rates-heading">Rates by country and tax category, newest first</h2>
      <table class="admin-table admin-tax stack" aria-labelledby="tax-rates-heading">
        <thead>
          <tr>
            <th scope="col">Country</th>
            <th scope="col">Category</th>
            <th scope="col" class="num">
              Rate
            </th>
            <th scope="col">From</th>
            <th scope="col">State</th>
            <th scope="col">Note</th>
            <th scope="col">
              <span class="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rates.flatMap((c) =>
            c.categories.flatMap((k) =>
              k.rows.map((r) => (
                <tr data-rate={r.id} data-country={c.country} class={r.state === 'current' ? 'current' : undefined}>
                  <td>
                    {c.name} ({c.country})
                  </td>
                  <td data-label="Category">{k.category}</td>
                  <td class="num" data-label="Rate">
                    {r.state === 'current' ? <strong>{r.percent} %</strong> : `${r.percent} %`}
                  </td>
                  <td data-label="From">
                    <time datetime={r.from}>{r.from}</time>
                  </td>
                  <td data-label="State">{stateLabel[r.state]}</td>
                  <td data-label="Note">{r.note}</td>
                  <td>
                    <form method="post" action={`/admin/tax/${r.id}/delete`} class="inline-form">
                      <button
                        type="submit"
                        class="secondary"
                        aria-label={`Remove ${c.country} ${k.category} ${r.percent} % from ${r.from}`}
                      >
                        Remove
                      </button>
                    </form>
                  </td>
                </tr>
              )),
            ),
          )}
        </tbody>
      </table>
      <h2>Add a rate</h2>
      <form class="admin-product-form admin-tax-form" method="post" action="/admin/tax" novalidate>
        <Field
          name="country"
          label="Country"
          value={values.country}
          error={errors.country}
          hint="Two-letter ISO code, e.g. DE, US (Greece is GR)."
          maxLength={10}
          required
        />
        <Field
          name="category"
          label="Tax category"
          value={values.category}
          error={errors.category}
          hint="Products of this category are charged this rate; most are standard."
          list="tax-categories"
          maxLength={60}
        />
        <datalist id="tax-categories">
          {categories.map((c) => (
            <option value={c} />
          ))}
        </datalist>
        <Field
          name="percent"
          label="Rate (percent)"
          value={values.percent}
          error={errors.percent}
          hint="0 to 100, e.g. 19 or 5.5."
          maxLength={10}
          required
        />
        <Field
          name="from"
          label="From (first day, UTC)"
          type="date"
          value={values.from}
          error={errors.from}
          hint="YYYY-MM-DD; today when empty."
          maxLength={10}
        />
        <Field name="note" label="Note" value={values.note} error={errors.note} maxLength={220} />
        <div class="form-actions">
          <button type="submit">Add rate</button>
        </div>
      </form>
    </AdminFrame>
  );
}
