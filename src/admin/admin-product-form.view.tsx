import type { NavCategory } from '../catalog/catalog.service.js';
import type { ViewContext } from '../pages/view-context.js';
import { FormNotices, Field as LabelledField } from './admin-field.view.js';
import { AdminFrame } from './admin-frame.view.js';
import { StockLink } from './admin-keys.view.js';
import type { ProductField, ProductFormErrors, ProductFormValues } from './admin-product-form.js';

export interface ProductFormProps {
  ctx: ViewContext;
  /** null: a new product; otherwise the SKU being edited (and its status, for archive). */
  editing: { sku: string; status: string } | null;
  values: ProductFormValues;
  errors?: ProductFormErrors;
  categories: NavCategory[];
  /** the tax categories known from the rates table, standard first */
  taxCategories?: string[];
  /** Sanitised HTML of the description, when the owner asked for a preview. */
  previewHtml?: string | null;
  saved?: boolean;
}

const typeOptions: [string, string][] = [
  ['key_lim', 'Keys from a pool'],
  ['key', 'Signed keys'],
  ['file', 'Download'],
];
const statusOptions: [string, string][] = [
  ['draft', 'Draft'],
  ['active', 'Active'],
  ['archived', 'Archived'],
];
const SPARE_SPEC_ROWS = 2;

/** A field of the product form, named after its value. */
function Field(props: {
  name: ProductField;
  label: string;
  errors: ProductFormErrors;
  hint?: string;
  children: (a: Record<string, string | undefined>) => preact.JSX.Element;
}) {
  const { name, label, errors, hint, children } = props;
  return (
    <LabelledField id={`product-${name}`} label={label} error={errors[name]} hint={hint}>
      {children}
    </LabelledField>
  );
}

/** GET /admin/products/new and /admin/products/:sku/edit: the product form, without JavaScript. */
export function AdminProductFormPage({
  ctx,
  editing,
  values,
  errors = {},
  categories,
  taxCategories = ['standard'],
  previewHtml,
  saved,
}: ProductFormProps) {
  // A product's category missing from the rates table stays offered, so saving keeps it.
  const taxOptions = taxCategories.includes(values.taxCategory) ? taxCategories : [...taxCategories, values.taxCategory];
  const action = editing ? `/admin/products/${encodeURIComponent(editing.sku)}` : '/admin/products';
  const specRows = [...values.specs, ...Array.from({ length: SPARE_SPEC_ROWS }, (): [string, string] => ['', ''])];
  const failed = Object.keys(errors).length > 0;
  return (
    <AdminFrame ctx={ctx} title={editing ? `Edit ${editing.sku}` : 'New product'} section="products">
      <FormNotices notice={saved ? 'Saved.' : null} failed={failed} />
      {editing && <StockLink sku={editing.sku} type={values.type} />}
      <form class="admin-product-form" method="post" action={action} novalidate>
        <Field name="name" label="Name" errors={errors}>
          {(a) => <input {...a} type="text" name="name" value={values.name} maxLength={200} required />}
        </Field>
        <Field
          name="sku"
          label="SKU"
          errors={errors}
          hint={
            editing ? 'The SKU is the product’s address and stays.' : 'Letters, digits, “-”, “_” or “.”; it becomes the product’s address.'
          }
        >
          {(a) => (
            <input
              {...a}
              type="text"
              name="sku"
              value={values.sku}
              maxLength={64}
              readOnly={editing !== null}
              required
              autocomplete="off"
            />
          )}
        </Field>
        <Field name="summary" label="Summary" errors={errors}>
          {(a) => <input {...a} type="text" name="summary" value={values.summary} maxLength={500} />}
        </Field>
        <Field name="description" label="Description" errors={errors} hint="Markdown. Preview shows it as the shop will.">
          {(a) => (
            <textarea {...a} name="description" rows={10}>
              {values.description}
            </textarea>
          )}
        </Field>
        {previewHtml != null && (
          <section class="description-preview" aria-label="Description preview">
            <h2>Preview</h2>
            <div class="product-description" dangerouslySetInnerHTML={{ __html: previewHtml }} />
          </section>
        )}
        <div class="field-row">
          <Field name="price" label="Price" errors={errors} hint="In the currency’s unit, e.g. 19.99.">
            {(a) => <input {...a} type="text" name="price" value={values.price} inputMode="decimal" required />}
          </Field>
          <Field name="currency" label="Currency" errors={errors} hint="ISO code, e.g. EUR.">
            {(a) => <input {...a} type="text" name="currency" value={values.currency} maxLength={3} required />}
          </Field>
        </div>
        <div class="field-row">
          <Field name="type" label="Type" errors={errors}>
            {(a) => (
              <select {...a} name="type">
                <option value="" selected={values.type === ''}>
                  Choose…
                </option>
                {typeOptions.map(([v, label]) => (
                  <option value={v} selected={v === values.type}>
                    {label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field name="status" label="Status" errors={errors}>
            {(a) => (
              <select {...a} name="status">
                {statusOptions.map(([v, label]) => (
                  <option value={v} selected={v === values.status}>
                    {label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <Field
          name="taxCategory"
          label="Tax category"
          errors={errors}
          hint="Which rows of the tax rates (Admin › Tax) apply; most products are standard."
        >
          {(a) => (
            <select {...a} name="tax_category">
              {taxOptions.map((c) => (
                <option value={c} selected={c === values.taxCategory}>
                  {c}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div class="field checkbox">
          <input type="checkbox" id="product-featured" name="featured" value="1" checked={values.featured} />
          <label for="product-featured">Featured on the home page</label>
        </div>
        <fieldset
          class={errors.categories ? 'field invalid' : 'field'}
          aria-describedby={errors.categories ? 'product-categories-error' : undefined}
        >
          <legend>Categories</legend>
          {categories.map((c) => (
            <div class="checkbox">
              <input
                type="checkbox"
                id={`product-category-${c.slug}`}
                name="categories"
                value={c.slug}
                checked={values.categories.includes(c.slug)}
              />
              <label for={`product-category-${c.slug}`}>{c.name}</label>
            </div>
          ))}
          {errors.categories && (
            <p class="field-error" id="product-categories-error">
              {errors.categories}
            </p>
          )}
        </fieldset>
        <fieldset
          class={errors.specs ? 'field invalid spec-rows' : 'field spec-rows'}
          aria-describedby={errors.specs ? 'product-specs-error' : undefined}
        >
          <legend>Specifications</legend>
          <p class="field-hint">One label and value per row; empty rows are dropped. Save to get more rows.</p>
          {specRows.map(([label, value], i) => (
            <div class="spec-row">
              <input type="text" name="spec_label" value={label} aria-label={`Specification ${i + 1} label`} maxLength={100} />
              <input type="text" name="spec_value" value={value} aria-label={`Specification ${i + 1} value`} maxLength={1000} />
            </div>
          ))}
          {errors.specs && (
            <p class="field-error" id="product-specs-error">
              {errors.specs}
            </p>
          )}
        </fieldset>
        <div class="field-row">
          <Field name="downloadLimit" label="Download limit" errors={errors} hint="Downloads only; empty for the default.">
            {(a) => <input {...a} type="text" name="download_limit" value={values.downloadLimit} inputMode="numeric" />}
          </Field>
          <Field name="accessDays" label="Access days" errors={errors} hint="Downloads only; empty for the default.">
            {(a) => <input {...a} type="text" name="access_days" value={values.accessDays} inputMode="numeric" />}
          </Field>
          <Field name="activationLimit" label="Activation limit" errors={errors} hint="Keys only; empty for none.">
            {(a) => <input {...a} type="text" name="activation_limit" value={values.activationLimit} inputMode="numeric" />}
          </Field>
        </div>
        <div class="form-actions">
          <button type="submit">{editing ? 'Save changes' : 'Create product'}</button>
          <button type="submit" name="preview" value="1" class="secondary">
            Preview description
          </button>
        </div>
      </form>
      {editing && (
        <div class="form-actions admin-product-actions">
          <a class="button secondary" href={`/admin/products/${encodeURIComponent(editing.sku)}/images`}>
            Images
          </a>
          <form method="post" action={`/admin/products/${encodeURIComponent(editing.sku)}/duplicate`}>
            <button type="submit" class="secondary">
              Duplicate as draft
            </button>
          </form>
          <form
            method="post"
            action={`/admin/products/${encodeURIComponent(editing.sku)}/${editing.status === 'archived' ? 'unarchive' : 'archive'}`}
          >
            <button type="submit" class="secondary">
              {editing.status === 'archived' ? 'Unarchive (back to draft)' : 'Archive'}
            </button>
          </form>
        </div>
      )}
    </AdminFrame>
  );
}
