import type { FastifyInstance } from 'fastify';
import type { ProductImagesService } from './product-images.service.js';

/**
 * GET /media/<key>: product images uploaded by the owner, streamed from the file storage (local or
 * S3) by the store itself, so the CSP's `img-src 'self'` covers them. Keys are new for every upload
 * and never rewritten, so browsers and CDNs may keep a response for a year.
 */
export async function mediaRoutes(app: FastifyInstance, { images }: { images: Pick<ProductImagesService, 'openMedia'> }) {
  app.get('/media/*', async (request, reply) => {
    const media = await images.openMedia((request.params as { '*': string })['*']);
    return reply
      .header('content-type', media.type)
      .header('content-length', media.size)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .send(media.stream);
  });
}
