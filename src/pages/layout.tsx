import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { assetUrl } from '../platform/assets.js';
import { renderEveryTime, type FragmentCache } from '../platform/fragments.js';
import { plural } from '../platform/plural.js';
import { compileTemplate, fillTemplate, renderKept, slot, type Template } from '../platform/render.js';
import type { ViewContext } from './view-context.js';

interface LayoutProps {
  ctx: ViewContext;
  title: string;
  description?: string;
  /** Extra elements for <head>, such as rel=prev/next links. */
  head?: ComponentChildren;
  children: ComponentChildren;
}

/** What the frame shows, from the page's context, with shared fragments from `fragments`. */
function frameOf({ ctx, title, description, head, children }: LayoutProps, fragments: FragmentCache): FrameProps {
  return {
    shopName: ctx.shopName,
    title: title === ctx.shopName ? title : `${title} · ${ctx.shopName}`,
    description: description ? <meta name="description" content={description} /> : null,
    head: head ?? null,
    user: ctx.user,
    cartCount: ctx.cartCount,
    searchQuery: ctx.searchQuery ?? '',
    returnTo: encodeURIComponent(ctx.path),
    nav: categoryLinks(fragments, ctx.categories, ctx.path),
    footer: footerHtml(fragments, ctx.shopName),
    main: children,
  };
}

/** The site frame: header with categories, search, cart and account; footer with the content pages. */
export function Layout(props: LayoutProps) {
  const { fragments } = props.ctx;
  const frame = frameOf(props, fragments);
  if (frame.user || frame.cartCount > 0) return <Frame {...frame} />;
  const html = fillTemplate(visitorShell(fragments, frame.shopName, frame.searchQuery !== ''), {
    title: markup(frame.title),
    description: markup(frame.description),
    head: markup(frame.head),
    q: markup(frame.searchQuery),
    returnTo: frame.returnTo,
    nav: frame.nav,
    main: markup(frame.main),
  });
  return <html lang="en" dangerouslySetInnerHTML={{ __html: html }} />;
}

/** The layout always rendered element by element, never from the template or kept fragments: what those must equal. */
export function DirectLayout(props: LayoutProps) {
  return <Frame {...frameOf(props, renderEveryTime)} />;
}

/** Children as HTML ('' for none); text comes out escaped as Preact escapes it, in text and in quoted attributes alike. */
const markup = (children: ComponentChildren) => renderToString(<>{children}</>);

// Most pages go to visitors who are not logged in and have an empty cart: for them the frame is a
// template rendered once per shop name (and with or without a search query: Preact writes an empty
// value as a bare attribute), and only this request's parts are rendered. Rendering the frame
// element by element was about a twentieth of a search page's CPU.
const HTML_OPEN = '<html lang="en">';

function visitorShell(fragments: FragmentCache, shopName: string, searched: boolean): Template {
  return fragments.parts(`layout:${searched ? 'q' : '-'}${shopName}`, () => {
    const html = renderToString(
      <Frame
        shopName={shopName}
        title={slot('title')}
        description={slot('description')}
        head={slot('head')}
        user={null}
        cartCount={0}
        searchQuery={searched ? slot('q') : ''}
        returnTo={slot('returnTo')}
        nav={slot('nav')}
        footer={footerHtml(fragments, shopName)}
        main={slot('main')}
      />,
    );
    return compileTemplate(html.slice(HTML_OPEN.length, -'</html>'.length));
  });
}

interface FrameProps {
  shopName: string;
  /** The whole <title> text. */
  title: string;
  description: ComponentChildren;
  head: ComponentChildren;
  user: ViewContext['user'];
  cartCount: number;
  searchQuery: string;
  /** The current path, URI-encoded, for the login and registration links. */
  returnTo: string;
  /** The category links' HTML. */
  nav: string;
  /** The footer's HTML. */
  footer: string;
  main: ComponentChildren;
}

function Frame({ shopName, title, description, head, user, cartCount, searchQuery, returnTo, nav, footer, main }: FrameProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        {description}
        <link rel="stylesheet" href={assetUrl('site.css')} />
        <link rel="icon" href={assetUrl('favicon.svg')} type="image/svg+xml" />
        <script src={assetUrl('app.js')} defer></script>
        <script src={assetUrl('cart.js')} defer></script>
        {user && <script src="/auth/session.js" defer></script>}
        {head}
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <div class="bar">
            <a class="brand" href="/">
              <img src={assetUrl('favicon.svg')} alt="" width={32} height={32} />
              {shopName}
            </a>
            <form class="search" role="search" aria-label="Search products" action="/search" method="get">
              <label for="search-q" class="visually-hidden">
                Search products
              </label>
              <input id="search-q" type="search" name="q" placeholder="Search products" value={searchQuery} maxLength={200} />
              <button type="submit">Search</button>
            </form>
            <nav class="account" aria-label="Account">
              <a href="/cart" class="cart-link">
                Cart
                {cartCount > 0 && (
                  <span class="badge" aria-label={plural(cartCount, { one: 'item', other: 'items' })}>
                    {cartCount}
                  </span>
                )}
              </a>
              {user ? (
                <>
                  <a href="/orders">Orders</a>
                  <a href="/profile">{user.name || 'Profile'}</a>
                  {user.isOwner && <a href="/admin">Admin</a>}
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
          <nav class="categories" aria-label="Categories" dangerouslySetInnerHTML={{ __html: nav }} />
        </header>
        <main id="main">{main}</main>
        <footer class="site-footer" dangerouslySetInnerHTML={{ __html: footer }} />
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
// every page: kept by the categories' text and by shop name. Only a category page marks one of them
// as current.
function categoryLinks(fragments: FragmentCache, categories: ViewContext['categories'], path: string): string {
  if (path.startsWith('/category/')) return renderToString(<CategoryLinks categories={categories} path={path} />);
  const key = `nav:${categories.map((c) => `${c.slug}\u0000${c.name}`).join('\u0000')}`;
  return fragments.html(key, () => renderKept(<CategoryLinks categories={categories} path="" />));
}

function footerHtml(fragments: FragmentCache, shopName: string): string {
  return fragments.html(`footer:${shopName}`, () =>
    renderKept(
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
    ),
  );
}
