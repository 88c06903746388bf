import { TableScroll } from '../pages/table-scroll.view.js';
import type { ViewContext } from '../pages/view-context.js';
import { formatMoney } from '../platform/money.js';
import { plural } from '../platform/plural.js';
import { AdminFrame, AdminPagination } from './admin-frame.view.js';
import { productStatuses, productTypes } from './admin-query.js';
import type { AdminProductList } from './admin.service.js';

const typeLabels: Record<string, string> = { key_lim: 'Keys from a pool', key: 'Signed keys', file: 'Download' };
const statusLabels: Record<string, string> = { draft: 'Draft', active: 'Active', archived: 'Archived' };

/** GET /admin/products: every product with its state and, for pooled keys, the pool's counts. */
export function AdminProductsPage({ ctx, list }: { ctx: ViewContext; list: AdminProductList }) {
  const { q, status, type, category, lowStock, categories, products, pagination, lowStockThreshold } = list;
  return (
    <AdminFrame ctx={ctx} title="Products" section="products">
      <p>
        <a class="button" href="/admin/products/new">
          New product
        </a>
      </p>
      <form class="admin-filters" method="get" action="/admin/products">
        <div class="field">
          <label for="admin-product-q">SKU or name</label>
          <input id="admin-product-q" type="search" name="q" value={q} maxLength={100} />
        </div>
        <div class="field">
          <label for="admin-product-type">Type</label>
          <select id="admin-product-type" name="type">
            <option value="" selected={type === null}>
              Any type
            </option>
            {productTypes.map((t) => (
              <option value={t} selected={t === type}>
                {typeLabels[t]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="admin-product-category">Category</label>
          <select id="admin-product-category" name="category">
            <option value="" selected={category === null}>
              Any category
            </option>
            {categories.map((c) => (
              <option value={c.slug} selected={c.slug === category}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="admin-product-status">Status</label>
          <select id="admin-product-status" name="status">
            <option value="" selected={status === null}>
              Any status
            </option>
            {productStatuses.map((s) => (
              <option value={s} selected={s === status}>
                {statusLabels[s]}
              </option>
            ))}
          </select>
        </div>
        <div class="field check">
          <input id="admin-product-low" type="checkbox" name="low" value="1" checked={lowStock} />
          <label for="admin-product-low">Low stock only</label>
        </div>
        <button type="submit">Show</button>
      </form>
      <p class="result-count" role="status">
        {pagination.total === 0 ? 'No products.' : `${plural(pagination.total, { one: 'product', other: 'products' })}.`} Pools at or below
        their product’s low-stock threshold ({lowStockThreshold} unless set on its keys page) are marked low.
      </p>
      {products.length > 0 && (
        <TableScroll label="Products">
          <table class="admin-table admin-products">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Type</th>
                <th scope="col" class="num">
                  Price
                </th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Available
                </th>
                <th scope="col" class="num">
                  Reserved
                </th>
                <th scope="col" class="num">
                  Sold
                </th>
                <th scope="col" class="num">
                  Revoked
                </th>
              </tr>
            </thead>
            <tbody>
              {products.map((p) => (
                <tr data-sku={p.sku} class={p.low ? 'low-stock' : undefined}>
                  <td>
                    {p.status === 'active' ? <a href={`/${p.sku.toLowerCase()}`}>{p.name}</a> : p.name}{' '}
                    <a class="sku" href={`/admin/products/${encodeURIComponent(p.sku)}/edit`} aria-label={`Edit ${p.sku}`}>
                      {p.sku}
                    </a>
                    {p.type !== 'key' && (
                      <>
                        {' '}
                        <a
                          class="stock-link"
                          href={`/admin/products/${encodeURIComponent(p.sku)}/${p.type === 'file' ? 'files' : 'keys'}`}
                          aria-label={`${p.type === 'file' ? 'Files' : 'Key pool'} of ${p.sku}`}
                        >
                          {p.type === 'file' ? 'Files' : 'Key pool'}
                        </a>
                      </>
                    )}
                  </td>
                  <td>{typeLabels[p.type] ?? p.type}</td>
                  <td class="num">{formatMoney(p.price, p.currency)}</td>
                  <td>
                    <span class={`product-status product-status-${p.status}`}>{statusLabels[p.status] ?? p.status}</span>
                  </td>
                  {p.pool ? (
                    <>
                      <td class="num available">
                        {p.pool.available}
                        {p.low && <span class="stock-flag">{p.pool.available === 0 ? ' sold out' : ' low'}</span>}
                      </td>
                      <td class="num reserved">{p.pool.reserved}</td>
                      <td class="num sold">{p.pool.sold}</td>
                      <td class="num revoked">{p.pool.revoked}</td>
                    </>
                  ) : (
                    <td class="unlimited" colSpan={4}>
                      Unlimited
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <AdminPagination pagination={pagination} path="/admin/products" params={{ q, status, type, category, low: lowStock ? '1' : null }} />
    </AdminFrame>
  );
}
