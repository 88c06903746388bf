import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ViewContext } from '../pages/view-context.js';
import { CategoryPage, HomePage, SearchPage } from './catalog-pages.view.js';
import type { CatalogService } from './catalog.service.js';
import { ProductDetailPage } from './product.view.js';

// Strings, not integers: the service explains a bad page number better than a schema error would.
const pageQuery = Type.Object({ page: Type.Optional(Type.String()) });
const searchQuery = Type.Object({ q: Type.Optional(Type.String()), page: Type.Optional(Type.String()) });

/**
 * Shared caches may keep an anonymous catalog page for a minute; a page carrying anything of one
 * visitor's (their name or cart count) is for that browser only.
 */
export function catalogCacheControl(ctx: Pick<ViewContext, 'user' | 'cartCount'>): string {
  const personal = ctx.user !== null || ctx.cartCount > 0;
  return personal ? 'private, no-cache' : 'public, max-age=60';
}

function cacheFor(reply: FastifyReply, ctx: ViewContext) {
  reply.header('cache-control', catalogCacheControl(ctx));
  reply.header('vary', 'Cookie');
}

/** The public catalog: home, category pages, search and product pages at /:sku. */
export async function catalogRoutes(fastify: FastifyInstance, { catalog }: { catalog: CatalogService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/', async (request, reply) => {
    const home = await catalog.getHomePage();
    const ctx = await request.viewContext(reply);
    cacheFor(reply, ctx);
    return reply.render(<HomePage ctx={ctx} {...home} />);
  });

  app.get(
    '/category/:slug',
    { schema: { params: Type.Object({ slug: Type.String() }), querystring: pageQuery } },
    async (request, reply) => {
      const page = await catalog.getCategoryPage(request.params.slug, request.query.page);
      const ctx = await request.viewContext(reply);
      cacheFor(reply, ctx);
      return reply.render(<CategoryPage ctx={ctx} {...page} />);
    },
  );

  app.get('/search', { schema: { querystring: searchQuery } }, async (request, reply) => {
    const results = await catalog.searchProducts(request.query.q, request.query.page);
    const ctx = await request.viewContext(reply, { searchQuery: results.query });
    cacheFor(reply, ctx);
    return reply.render(<SearchPage ctx={ctx} {...results} />);
  });

  // Static routes (/cart, /about, …) win over this one; reserved SKUs never reach the database.
  app.get('/:sku', { schema: { params: Type.Object({ sku: Type.String() }) } }, async (request, reply) => {
    const page = await catalog.getProductPage(request.params.sku);
    const ctx = await request.viewContext(reply);
    cacheFor(reply, ctx);
    return reply.render(<ProductDetailPage ctx={ctx} page={page} />);
  });
}
