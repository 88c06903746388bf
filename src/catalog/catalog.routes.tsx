import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { CategoryPage, HomePage, SearchPage } from './catalog-pages.view.js';
import type { CatalogService } from './catalog.service.js';
import { ProductDetailPage } from './product.view.js';
import { shownStockOf } from './stock.js';

// Strings, not integers: the service explains a bad page number better than a schema error would.
const pageQuery = Type.Object({ page: Type.Optional(Type.String()) });
const searchQuery = Type.Object({ q: Type.Optional(Type.String()), page: Type.Optional(Type.String()) });

// The same for every visitor the store knows nothing of: the page cache (src/platform/page-cache.ts)
// answers them whole and gives shared caches their Cache-Control and ETag; anyone else's is private.
const shared = { sharedPage: true };

/** The public catalog: home, category pages, search and product pages at /:sku. */
export async function catalogRoutes(fastify: FastifyInstance, { catalog }: { catalog: CatalogService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/', { config: shared }, async (request, reply) => {
    const home = await catalog.getHomePage();
    request.shownStock = shownStockOf([...home.featured, ...home.newArrivals]);
    const ctx = await request.viewContext(reply);
    return reply.render(<HomePage ctx={ctx} {...home} />);
  });

  app.get(
    '/category/:slug',
    { config: shared, schema: { params: Type.Object({ slug: Type.String() }), querystring: pageQuery } },
    async (request, reply) => {
      // A former slug (the owner changed it): one permanent redirect to the current one, page kept.
      const moved = await catalog.findMovedCategory(request.params.slug);
      if (moved)
        return reply.redirect(`/category/${moved}${request.query.page ? `?page=${encodeURIComponent(request.query.page)}` : ''}`, 301);
      const page = await catalog.getCategoryPage(request.params.slug, request.query.page);
      request.shownStock = shownStockOf(page.products);
      const ctx = await request.viewContext(reply);
      return reply.render(<CategoryPage ctx={ctx} {...page} />);
    },
  );

  app.get('/search', { config: shared, schema: { querystring: searchQuery } }, async (request, reply) => {
    const results = await catalog.searchProducts(request.query.q, request.query.page);
    request.shownStock = shownStockOf(results.products);
    const ctx = await request.viewContext(reply, { searchQuery: results.query });
    return reply.render(<SearchPage ctx={ctx} {...results} />);
  });

  // Static routes (/cart, /about, …) win over this one; reserved SKUs never reach the database.
  app.get('/:sku', { config: shared, schema: { params: Type.Object({ sku: Type.String() }) } }, async (request, reply) => {
    const page = await catalog.getProductPage(request.params.sku);
    request.shownStock = shownStockOf([page]);
    const ctx = await request.viewContext(reply);
    return reply.render(<ProductDetailPage ctx={ctx} page={page} />);
  });
}
