import type { FastifyInstance } from 'fastify';
import { Layout } from './layout.js';
import { contentPages, type ContentService } from './content.service.js';

/** /privacy-policy, /terms-and-conditions and /about from the owner's Markdown files. */
export async function contentRoutes(app: FastifyInstance, { content }: { content: ContentService }) {
  for (const name of contentPages) {
    app.get(`/${name}`, { config: { sharedPage: true } }, async (request, reply) => {
      const page = await content.renderPage(name);
      const ctx = await request.viewContext(reply);
      return reply.render(
        <Layout ctx={ctx} title={page.title}>
          <article class="prose" dangerouslySetInnerHTML={{ __html: page.html }} />
        </Layout>,
      );
    });
  }
}
