import type { ComponentChildren } from 'preact';
import { PaginationNav } from '../pages/pagination.view.js';
import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';
import type { Pagination } from '../platform/pagination.js';

export type AdminSection =
  'dashboard' | 'orders' | 'products' | 'messages' | 'audit' | 'categories' | 'customers' | 'donations' | 'exports' | 'tax' | 'discounts';

const sections: [AdminSection, string, string][] = [
  ['dashboard', '/admin', 'Dashboard'],
  ['orders', '/admin/orders', 'Orders'],
  ['products', '/admin/products', 'Products'],
  ['categories', '/admin/categories', 'Categories'],
  ['customers', '/admin/customers', 'Customers'],
  ['donations', '/admin/donations', 'Donations'],
  ['discounts', '/admin/discounts', 'Discounts'],
  ['messages', '/admin/messages', 'Messages'],
  ['exports', '/admin/exports', 'Exports'],
  ['tax', '/admin/tax', 'Tax'],
  ['audit', '/admin/audit', 'Audit log'],
];

/** An instant as the owner reads it: UTC to the minute, the exact time in the element. */
export function When({ ms }: { ms: number | null }) {
  if (ms === null) return <span class="none">—</span>;
  const iso = new Date(ms).toISOString();
  return <time datetime={iso}>{`${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`}</time>;
}

/** The owner's pages inside the site layout, with the admin navigation above the content. */
export function AdminFrame({
  ctx,
  title,
  section,
  children,
}: {
  ctx: ViewContext;
  title: string;
  section: AdminSection;
  children: ComponentChildren;
}) {
  return (
    <Layout ctx={ctx} title={`${title} · Admin`}>
      <section class="admin" data-admin-section={section}>
        <nav class="admin-nav" aria-label="Shop administration">
          <ul>
            {sections.map(([key, href, label]) => (
              <li>
                <a href={href} aria-current={key === section ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <h1>{title}</h1>
        {children}
      </section>
    </Layout>
  );
}

/** Page links that keep the list's filters. */
export function AdminPagination({
  pagination,
  path,
  params,
}: {
  pagination: Pagination;
  path: string;
  params: Record<string, string | null>;
}) {
  const href = (page: number) => {
    const query = new URLSearchParams(
      Object.entries({ ...params, page: page > 1 ? String(page) : null }).filter(
        (e): e is [string, string] => e[1] !== null && e[1] !== '',
      ),
    );
    const text = query.toString();
    return text ? `${path}?${text}` : path;
  };
  return <PaginationNav pagination={pagination} href={href} />;
}
