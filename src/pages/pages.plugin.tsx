import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../platform/config.js';
import type { HtmlErrorRenderer } from '../platform/error-handler.js';
import type { FragmentCache } from '../platform/fragments.js';
import { renderDocument } from '../platform/render.js';
import { ErrorPage } from './error-page.js';
import type { ViewContext } from './view-context.js';

/** Where the layout's shared data comes from; each domain contributes its part through app.ts. */
export interface ViewSources {
  navCategories: () => Promise<ViewContext['categories']>;
  currentUser?: (request: FastifyRequest) => ViewContext['user'];
  cartCount?: (request: FastifyRequest) => Promise<number>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The layout's data for this request. */
    viewContext(reply?: FastifyReply, extra?: Partial<ViewContext>): Promise<ViewContext>;
  }
}

/** Builds the ViewContext for pages and the HTML error renderer that uses the same layout. */
export function createViewContextBuilder(config: Config, sources: ViewSources, fragments: FragmentCache) {
  const taxNote = config.tax.sellerCountry === null ? '' : config.tax.pricesIncludeTax ? 'incl. VAT' : 'plus VAT';
  return async (request: FastifyRequest, reply?: FastifyReply, extra: Partial<ViewContext> = {}): Promise<ViewContext> => ({
    shopName: config.shopName,
    categories: await sources.navCategories(),
    user: sources.currentUser?.(request) ?? null,
    // A page that has just read the cart passes its count: no second query for the badge.
    cartCount: extra.cartCount ?? (await sources.cartCount?.(request)) ?? 0,
    path: (request.url.split('?')[0] ?? '/').slice(0, 500),
    taxNote,
    fragments,
    ...extra,
  });
}

export const pagesPlugin = fp<{ config: Config; sources: ViewSources; fragments: FragmentCache }>(
  async (app, { config, sources, fragments }) => {
    const build = createViewContextBuilder(config, sources, fragments);
    app.decorateRequest('viewContext', function (this: FastifyRequest, reply?: FastifyReply, extra?: Partial<ViewContext>) {
      return build(this, reply, extra);
    });
  },
);

/** Error pages in the site layout; falls back to a bare layout if the shared data cannot be read. */
export function htmlErrorRenderer(config: Config, fragments: FragmentCache): HtmlErrorRenderer {
  return async (request, error) => {
    const bare: ViewContext = {
      shopName: config.shopName,
      categories: [],
      user: null,
      cartCount: 0,
      path: '/',
      fragments,
    };
    let ctx = bare;
    if (error.status < 500) {
      try {
        ctx = await request.viewContext();
      } catch {
        ctx = bare;
      }
    }
    return renderDocument(<ErrorPage ctx={ctx} status={error.status} message={error.message} />);
  };
}
