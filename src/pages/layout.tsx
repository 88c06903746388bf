import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { assetUrl } from '../platform/assets.js';
import { renderKept } from '../platform/render.js';
import type { ViewContext } from './view-context.js';

interface LayoutProps {
  ctx: ViewContext;
  title: string;
  description?: string;
  /** Extra elements for <head>, such as rel=prev/next links. */
  head?: ComponentChildren;
  children: ComponentChildren;
}

/** The site frame: header with categories, search, cart and account; footer with the content pages. */
export function Layout({ ctx, title, description, head, children }: LayoutProps) {
  const returnTo = encodeURIComponent(ctx.path);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title === ctx.shopName ? title : `${title} · ${ctx.shopName}`}</title>
        {description && <meta name="description" content={description} />}
        {ctx.csrfToken && <meta name="csrf-token" content={ctx.csrfToken} />}
        <link rel="stylesheet" href={assetUrl('site.css')} />
        <link rel="icon" href={assetUrl('favicon.svg')} type="image/svg+xml" />
        <script src={assetUrl('app.js')} defer></script>
        <script src={assetUrl('cart.js')} defer></script>
        {ctx.user && <script src="/auth/session.js" defer></script>}
        {head}
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="site-header">
          <div class="bar">
            <a class="brand" href="/">
              <img src={assetUrl('favicon.svg')} alt="" width={32} height={32} />
              {ctx.shopName}
            </a>
            <form class="search" role="search" action="/search" method="get">
              <label for="search-q" class="visually-hidden">Search products</label>
              <input id="search-q" type="search" name="q" placeholder="Search products" value={ctx.searchQuery ?? ''} maxLength={200} />
              <button type="submit">Search</button>
            </form>
            <nav class="account" aria-label="Account">
              <a href="/cart" class="cart-link">
                Cart{ctx.cartCount > 0 && <span class="badge" aria-label={`${ctx.cartCount} ${ctx.cartCount === 1 ? 'item' : 'items'}`}>{ctx.cartCount}</span>}
              </a>
              {ctx.user ? (
                <>
                  <a href="/orders">Orders</a>
                  <a href="/profile">{ctx.user.name || 'Profile'}</a>
                  {ctx.user.isOwner && <a href="/admin">Admin</a>}
                  <a href="/auth/logout">Log out</a>
                </>
              ) : (
                <>
                  <a href={`/login?returnTo=${returnTo}`}>Log in</a>
                  <a href={`/register?returnTo=${returnTo}`}>Register</a>
                </>
              )}
            </nav>
          </div>
          <nav class="categories" aria-label="Categories" dangerouslySetInnerHTML={{ __html: categoryLinks(ctx.categories, ctx.path) }} />
        </header>
        <main id="main">{children}</main>
        <footer class="site-footer" dangerouslySetInnerHTML={{ __html: footer(ctx.shopName) }} />
      </body>
    </html>
  );
}

function CategoryLinks({ categories, path }: { categories: ViewContext['categories']; path: string }) {
  return (
    <ul>
      {categories.map((c) => (
        <li>
          <a href={`/category/${c.slug}`} aria-current={path === `/category/${c.slug}` ? 'page' : undefined}>
            {c.name}
          </a>
        </li>
      ))}
    </ul>
  );
}

// The header's categories and the footer are most of the layout's markup and the same on nearly
// every page: rendered once per categories list (the catalog reuses the array while it is cached)
// and per shop name. Only a category page marks one of them as current.
const categoryNavs = new WeakMap<ViewContext['categories'], string>();
const footers = new Map<string, string>();

function categoryLinks(categories: ViewContext['categories'], path: string): string {
  if (path.startsWith('/category/')) return renderToString(<CategoryLinks categories={categories} path={path} />);
  let html = categoryNavs.get(categories);
  if (html === undefined) categoryNavs.set(categories, (html = renderKept(<CategoryLinks categories={categories} path="" />)));
  return html;
}

function footer(shopName: string): string {
  let html = footers.get(shopName);
  if (html === undefined) {
    html = renderKept(
      <>
        <nav aria-label="About the shop">
          <a href="/about">About</a>
          <a href="/contact">Contact</a>
          <a href="/donate">Donate</a>
          <a href="/privacy-policy">Privacy policy</a>
          <a href="/terms-and-conditions">Terms and conditions</a>
        </nav>
        <p>© {shopName}</p>
      </>,
    );
    footers.set(shopName, html);
  }
  return html;
}
