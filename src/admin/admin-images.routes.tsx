import type { FastifyMultipartBaseOptions } from '@fastify/multipart';
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditActor } from '../audit/audit.service.js';
import { normaliseSku } from '../catalog/sku.js';
import { ValidationError } from '../platform/errors.js';
import type { AdminImagesService, ImageUpload } from './admin-images.service.js';
import { AdminImageDeletePage, AdminImagesPage, IMAGE_NOTICES, type ImageNotice, type ImagesPageProps } from './admin-images.view.js';

export interface AdminImageRoutesOptions {
  images: AdminImagesService;
}

const SkuParams = Type.Object({ sku: Type.String({ maxLength: 100 }) });
const ImageParams = Type.Object({ sku: Type.String({ maxLength: 100 }), id: Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 }) });
const PageQuery = Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) });
const AltBody = Type.Object({ alt: Type.Optional(Type.String({ maxLength: 2000 })) });
const MoveBody = Type.Object({ direction: Type.Union([Type.Literal('up'), Type.Literal('down')]) });

const privatePage = (reply: FastifyReply) => reply.header('cache-control', 'private, no-store');
const actorOf = (request: FastifyRequest): AuditActor => ({ sub: request.user!.sub, email: request.user!.email });
const pageUrl = (sku: string, done: ImageNotice) => `/admin/products/${encodeURIComponent(sku)}/images?done=${done}`;

/**
 * The upload form's parts, read as streams: the file (cut off at the size limit, so an oversized
 * upload never fills memory) and its alt text. A form posted without multipart carries no file.
 */
async function readImageForm(request: FastifyRequest, maxBytes: number): Promise<ImageUpload> {
  const form: ImageUpload = { bytes: null, tooLarge: false, alt: '' };
  if (!request.isMultipart()) return form;
  // Not thrown at the limit: the oversized file ends cut off (`truncated`) and the form's other fields still arrive.
  const options: FastifyMultipartBaseOptions = { limits: { fileSize: maxBytes }, throwFileSizeLimit: false };
  try {
    for await (const part of request.parts(options)) {
      if (part.type === 'field') {
        if (part.fieldname === 'alt' && typeof part.value === 'string') form.alt = part.value.slice(0, 2000);
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of part.file) if (part.fieldname === 'file') chunks.push(chunk as Buffer);
      if (part.fieldname !== 'file') continue;
      form.tooLarge = part.file.truncated;
      form.bytes = form.tooLarge ? null : Buffer.concat(chunks);
    }
  } catch (err) {
    // The multipart limits (more files or fields than a form has) keep their 413; a body that is
    // not multipart at all (cut off, malformed) is the sender's fault, not a server error.
    const status = (err as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status < 500) throw err;
    throw new ValidationError(
      'The upload arrived incomplete or malformed. Please choose the file and send the form again.',
      undefined,
      'invalid_upload',
    );
  }
  return form;
}

/** The owner's image page of a product; registered inside adminRoutes, behind its owner guard. */
export function adminImageRoutes(app: FastifyInstance, { images }: AdminImageRoutesOptions) {
  const page = async (request: FastifyRequest, reply: FastifyReply, sku: string, extra: Partial<ImagesPageProps> = {}, status = 200) => {
    const { product, images: list } = await images.listImages(sku);
    const ctx = await request.viewContext(reply);
    return privatePage(reply).render(
      <AdminImagesPage ctx={ctx} product={product} images={list} maxBytes={images.maxBytes} {...extra} />,
      status,
    );
  };

  app.get('/admin/products/:sku/images', { schema: { params: SkuParams, querystring: PageQuery } }, async (request, reply) => {
    const { done } = request.query as Static<typeof PageQuery>;
    const notice = done && done in IMAGE_NOTICES ? (done as ImageNotice) : null;
    return page(request, reply, (request.params as Static<typeof SkuParams>).sku, { notice });
  });

  app.post('/admin/products/:sku/images', { schema: { params: SkuParams } }, async (request, reply) => {
    const { sku } = request.params as Static<typeof SkuParams>;
    const form = await readImageForm(request, images.maxBytes);
    const result = await images.upload(actorOf(request), sku, form);
    if (!result.ok) return page(request, reply, sku, { upload: { errors: result.errors, alt: form.alt } }, result.status);
    return reply.redirect(pageUrl(normaliseSku(sku), 'added'), 303);
  });

  app.post('/admin/products/:sku/images/:id/alt', { schema: { params: ImageParams, body: AltBody } }, async (request, reply) => {
    const { sku, id } = request.params as Static<typeof ImageParams>;
    const alt = (request.body as Static<typeof AltBody>).alt ?? '';
    const result = await images.setAlt(actorOf(request), sku, id, alt);
    if (!result.ok) return page(request, reply, sku, { altError: { id, alt, message: result.errors.alt ?? '' } }, result.status);
    return reply.redirect(pageUrl(normaliseSku(sku), 'alt'), 303);
  });

  app.post('/admin/products/:sku/images/:id/move', { schema: { params: ImageParams, body: MoveBody } }, async (request, reply) => {
    const { sku, id } = request.params as Static<typeof ImageParams>;
    await images.move(actorOf(request), sku, id, (request.body as Static<typeof MoveBody>).direction);
    return reply.redirect(pageUrl(normaliseSku(sku), 'moved'), 303);
  });

  app.get('/admin/products/:sku/images/:id/delete', { schema: { params: ImageParams } }, async (request, reply) => {
    const { sku, id } = request.params as Static<typeof ImageParams>;
    const { product, image } = await images.findImage(sku, id);
    return privatePage(reply).render(<AdminImageDeletePage ctx={await request.viewContext(reply)} product={product} image={image} />);
  });

  app.post('/admin/products/:sku/images/:id/delete', { schema: { params: ImageParams } }, async (request, reply) => {
    const { sku, id } = request.params as Static<typeof ImageParams>;
    await images.remove(actorOf(request), sku, id);
    return reply.redirect(pageUrl(normaliseSku(sku), 'deleted'), 303);
  });
}
