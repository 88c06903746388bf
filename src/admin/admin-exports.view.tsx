import type { ViewContext } from '../pages/view-context.js';
import { AdminFrame } from './admin-frame.view.js';
import { EXPORT_KINDS, type ExportErrors, type ExportValues } from './admin-exports.service.js';

/** A field's error, tied to its input for screen readers. */
function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p class="field-error" id={`${id}-error`}>
      {message}
    </p>
  ) : null;
}

const invalid = (message: string | undefined, id: string) =>
  message ? { 'aria-invalid': 'true' as const, 'aria-describedby': `${id}-error` } : {};

/** GET /admin/exports: choose the days and what to export; the file downloads from a plain link. */
export function AdminExportsPage({ ctx, values, errors = {} }: { ctx: ViewContext; values: ExportValues; errors?: ExportErrors }) {
  return (
    <AdminFrame ctx={ctx} title="Exports" section="exports">
      {Object.keys(errors).length > 0 && (
        <p class="notice error" role="alert">
          Nothing was exported. Please correct the highlighted fields.
        </p>
      )}
      <form class="admin-exports" method="get" action="/admin/exports" novalidate>
        <div class="field-row">
          <div class={errors.from ? 'field invalid' : 'field'}>
            <label for="export-from">First day (UTC)</label>
            <input id="export-from" name="from" type="date" value={values.from} required {...invalid(errors.from, 'export-from')} />
            <FieldError id="export-from" message={errors.from} />
          </div>
          <div class={errors.to ? 'field invalid' : 'field'}>
            <label for="export-to">Last day (UTC)</label>
            <input id="export-to" name="to" type="date" value={values.to} required {...invalid(errors.to, 'export-to')} />
            <FieldError id="export-to" message={errors.to} />
          </div>
        </div>
        <fieldset class={errors.kind ? 'field invalid' : 'field'} {...invalid(errors.kind, 'export-kind')}>
          <legend>What to export</legend>
          {Object.entries(EXPORT_KINDS).map(([kind, label]) => (
            <div class="checkbox">
              <input id={`export-kind-${kind}`} type="radio" name="kind" value={kind} checked={values.kind === kind} />
              <label for={`export-kind-${kind}`}>{label}</label>
            </div>
          ))}
          <FieldError id="export-kind" message={errors.kind} />
        </fieldset>
        <div class="form-actions">
          <button type="submit">Download CSV</button>
        </div>
      </form>
      <h2>What the files hold</h2>
      <ul class="export-notes">
        <li>
          Orders paid on the days chosen (UTC), whatever happened to them since: the status and the refunded amount say it. Unpaid, failed
          and expired orders are not sales and are left out.
        </li>
        <li>
          <strong>Orders</strong>: date paid, order number and id, buyer email, status, net excl. tax, tax, gross, currency, refunded.
        </li>
        <li>
          <strong>Sales lines</strong>: one line per product of an order with its quantity, unit price and its share of the order’s net, tax
          and gross (an order’s lines add up to it exactly), and the units and amount refunded.
        </li>
        <li>
          Amounts are decimal numbers in the currency’s units (19.00, not 1900 cents). UTF-8 with a byte order mark, so spreadsheets read
          names in any alphabet; text that starts like a formula is prefixed with an apostrophe.
        </li>
      </ul>
    </AdminFrame>
  );
}
