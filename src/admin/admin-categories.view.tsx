import type { ComponentChildren } from 'preact';
import type { CategoryFieldErrors } from '../catalog/categories.service.js';
import type { ViewContext } from '../pages/view-context.js';
import { plural } from '../platform/plural.js';
import { AdminFrame } from './admin-frame.view.js';
import { FormNotices, TextField as Input, type TextFieldProps } from './admin-field.view.js';
import type { AdminCategoriesService } from './admin-categories.service.js';

type CategoryList = Awaited<ReturnType<AdminCategoriesService['list']>>;
type CategoryDetail = Awaited<ReturnType<AdminCategoriesService['get']>>;

/** What a redirect after a change says on the page it lands on. */
export const categoryNotices = {
  created: 'Category created. It is last in the header; move it up where it belongs.',
  renamed: 'Name saved.',
  slug: 'Slug changed. The old address now answers with a permanent redirect to the new one.',
  moved: 'Order saved.',
  deleted: 'Category deleted.',
} as const;
export type CategoryNotice = keyof typeof categoryNotices;

/** A required text field whose input takes 20 characters past the limit, so a longer value is refused beside it. */
const TextField = (props: Omit<TextFieldProps, 'required'>) => <Input {...props} maxLength={props.maxLength + 20} required />;

const SLUG_HINT = 'Lower-case letters, digits and dashes: the address is /category/<slug>.';

function Notices({ notice, failed, error }: { notice?: CategoryNotice | null; failed?: boolean; error?: string | null }) {
  return (
    <>
      <FormNotices notice={notice && categoryNotices[notice]} failed={failed ?? false} fields="field" />
      {error && (
        <p class="notice error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

function Post({ action, children, label }: { action: string; children: ComponentChildren; label?: string }) {
  return (
    <form method="post" action={action} class="inline-form" aria-label={label}>
      {children}
    </form>
  );
}

/** GET /admin/categories: the header's categories in order, with product counts, move buttons and the new-category form. */
export function AdminCategoriesPage(props: {
  ctx: ViewContext;
  categories: CategoryList;
  notice?: CategoryNotice | null;
  values?: { name: string; slug: string };
  errors?: CategoryFieldErrors;
}) {
  const { ctx, categories, notice, values = { name: '', slug: '' }, errors = {} } = props;
  return (
    <AdminFrame ctx={ctx} title="Categories" section="categories">
      <Notices notice={notice} failed={Object.keys(errors).length > 0} />
      <p class="result-count">
        {categories.length === 0
          ? 'No categories yet.'
          : `${plural(categories.length, { one: 'category', other: 'categories' })}, in the header's order.`}
      </p>
      {categories.length > 0 && (
        <table class="admin-table admin-categories stack">
          <thead>
            <tr>
              <th scope="col">Category</th>
              <th scope="col">Address</th>
              <th scope="col" class="num">
                Products
              </th>
              <th scope="col">Order</th>
            </tr>
          </thead>
          <tbody>
            {categories.map((c, i) => (
              <tr data-category={c.slug}>
                <td>
                  <a href={`/admin/categories/${c.id}`}>{c.name}</a>
                </td>
                <td data-label="Address">
                  <a class="sku" href={`/category/${c.slug}`}>
                    {c.slug}
                  </a>
                </td>
                <td class="num" data-label="Products">
                  {c.products}
                </td>
                <td class="move-buttons">
                  <Post action={`/admin/categories/${c.id}/move`} label={`Move ${c.name}`}>
                    <button type="submit" name="direction" value="up" class="secondary" disabled={i === 0} aria-label={`Move ${c.name} up`}>
                      ↑ Up
                    </button>
                    <button
                      type="submit"
                      name="direction"
                      value="down"
                      class="secondary"
                      disabled={i === categories.length - 1}
                      aria-label={`Move ${c.name} down`}
                    >
                      ↓ Down
                    </button>
                  </Post>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>New category</h2>
      <form class="admin-product-form admin-category-form" method="post" action="/admin/categories" novalidate>
        <TextField id="category-name" name="name" label="Name" value={values.name} error={errors.name} maxLength={100} />
        <TextField id="category-slug" name="slug" label="Slug" value={values.slug} error={errors.slug} hint={SLUG_HINT} maxLength={100} />
        <div class="form-actions">
          <button type="submit">Create category</button>
        </div>
      </form>
    </AdminFrame>
  );
}

/** GET /admin/categories/:id: rename, change the slug (the old one redirects), delete when empty. */
export function AdminCategoryPage(props: {
  ctx: ViewContext;
  category: CategoryDetail;
  notice?: CategoryNotice | null;
  values?: { name?: string; slug?: string };
  errors?: CategoryFieldErrors;
  error?: string | null;
}) {
  const { ctx, category: c, notice, values = {}, errors = {}, error } = props;
  const base = `/admin/categories/${c.id}`;
  return (
    <AdminFrame ctx={ctx} title={`Category: ${c.name}`} section="categories">
      <Notices notice={notice} failed={Object.keys(errors).length > 0} error={error} />
      <p>
        <a href="/admin/categories">All categories</a> · <a href={`/category/${c.slug}`}>See it in the shop</a> ·{' '}
        <a href={`/admin/products?category=${encodeURIComponent(c.slug)}`}>{plural(c.products, { one: 'product', other: 'products' })}</a>
      </p>
      <form class="admin-product-form admin-category-form" method="post" action={`${base}/name`} novalidate>
        <TextField id="category-name" name="name" label="Name" value={values.name ?? c.name} error={errors.name} maxLength={100} />
        <div class="form-actions">
          <button type="submit">Save name</button>
        </div>
      </form>
      <form class="admin-product-form admin-category-form" method="post" action={`${base}/slug`} novalidate>
        <TextField
          id="category-slug"
          name="slug"
          label="Slug"
          value={values.slug ?? c.slug}
          error={errors.slug}
          hint={`${SLUG_HINT} The old address keeps working: it redirects to the new one.`}
          maxLength={100}
        />
        <div class="form-actions">
          <button type="submit">Change slug</button>
        </div>
      </form>
      {c.formerSlugs.length > 0 && (
        <>
          <h2>Former addresses</h2>
          <p class="hint">These redirect here, until another category takes the slug.</p>
          <ul class="former-slugs">
            {c.formerSlugs.map((s) => (
              <li>
                <code>/category/{s}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>Delete</h2>
      <p class="hint">
        {c.products === 0
          ? 'The category is empty, so it can be deleted; its address and former addresses then answer “not found”.'
          : `Only an empty category can be deleted; this one holds ${plural(c.products, { one: 'product', other: 'products' })}.`}
      </p>
      <Post action={`${base}/delete`}>
        <button type="submit" class="secondary">
          Delete category
        </button>
      </Post>
    </AdminFrame>
  );
}
