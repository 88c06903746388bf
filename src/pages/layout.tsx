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
  const html = fillTemplate(frameShell(fragments, frame.shopName, frame.searchQuery !== ''), {
    title: markup(frame.title),
    description: markup(frame.description),
    // Where Frame puts the session script: first of the <head> extras.
    head: frame.user ? SESSION_SCRIPT + markup(frame.head) : markup(frame.head),
    q: markup(frame.searchQuery),
    badge: frame.cartCount > 0 ? badgeHtml(fragments, frame.cartCount) : '',
    account: accountHtml(fragments, frame.user, frame.returnTo),
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

// Every page's frame is a template rendered once per shop name (and with or without a search query:
// Preact writes an empty value as a bare attribute), and only this request's parts are rendered:
// the title, <head> extras, the query, the cart badge, the account links, the categories and the
// page. Rendering the frame element by element was about a twentieth of a search page's CPU, and
// a logged-in visitor's pages were all rendered that way until the badge and account links became
// slots too.
const HTML_OPEN = '<html lang="en">';
const SESSION_SCRIPT = renderToString(<script src="/auth/session.js" defer></script>);

function frameShell(fragments: FragmentCache, shopName: string, searched: boolean): Template {
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
        returnTo=""
        nav={slot('nav')}
        footer={footerHtml(fragments, shopName)}
        main={slot('main')}
        badge={slot('badge')}
        account={slot('account')}
      />,
    );
    return compileTemplate(html.slice(HTML_OPEN.length, -'</html>'.length));
  });
}

/** The cart link's badge, kept by count (a handful of distinct counts ever show). */
function badgeHtml(fragments: FragmentCache, count: number): string {
  return fragments.html(`badge:${count}`, () => renderKept(<Badge count={count} />));
}

/** The account links: a template per kind of visitor, filled with the return path or the user's name. */
function accountHtml(fragments: FragmentCache, user: ViewContext['user'], returnTo: string): string {
  if (!user)
    return fillTemplate(
      fragments.parts('account:-', () => accountParts(null)),
      { returnTo },
    );
  const kind = user.isOwner ? 'owner' : 'user';
  return fillTemplate(
    fragments.parts(`account:${kind}`, () => accountParts(user)),
    { name: markup(user.name || 'Profile') },
  );
}

function accountParts(user: ViewContext['user']): Template {
  const links = user ? <UserLinks name={slot('name')} isOwner={user.isOwner === true} /> : <GuestLinks returnTo={slot('returnTo')} />;
  return compileTemplate(renderToString(links));
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
  /** Slots for the template: in place of the cart badge and of the account links. */
  badge?: string;
  account?: string;
}

function Frame(props: FrameProps) {
  const { shopName, title, description, head, user, cartCount, searchQuery, returnTo, nav, footer, main, badge, account } = props;
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
                {badge ?? (cartCount > 0 && <Badge count={cartCount} />)}
              </a>
              {account ??
                (user ? <UserLinks name={user.name || 'Profile'} isOwner={user.isOwner === true} /> : <GuestLinks returnTo={returnTo} />)}
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

function Badge({ count }: { count: number }) {
  return (
    <span class="badge" aria-label={plural(count, { one: 'item', other: 'items' })}>
      {count}
    </span>
  );
}

function UserLinks({ name, isOwner }: { name: string; isOwner: boolean }) {
  return (
    <>
      <a href="/orders">Orders</a>
      <a href="/profile">{name}</a>
      {isOwner && <a href="/admin">Admin</a>}
      <a href="/auth/logout">Log out</a>
    </>
  );
}

/** The login and registration links, back to `returnTo` (the current path, URI-encoded). */
function GuestLinks({ returnTo }: { returnTo: string }) {
  return (
    <>
      <a href={`/login?returnTo=${returnTo}`}>Log in</a>
      <a href={`/register?returnTo=${returnTo}`}>Register</a>
    </>
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
