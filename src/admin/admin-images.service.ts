import type { AuditActor, AuditService } from '../audit/audit.service.js';
import { MAX_IMAGES, validateAlt, type ProductImagesService } from '../catalog/product-images.service.js';
import { AppError, NotFoundError } from '../platform/errors.js';

/** The image form's problems, beside the file field or the alt text field. */
export interface ImageFormErrors {
  file?: string;
  alt?: string;
}

/** What the upload form sent: the file's bytes (null: none chosen), whether it was cut off at the limit, and the alt text. */
export interface ImageUpload {
  bytes: Buffer | null;
  tooLarge: boolean;
  alt: string;
}

/** A change's outcome: done, or the form's problems with the status to answer them with (nothing written). */
export type ImageResult = { ok: true } | { ok: false; status: number; errors: ImageFormErrors };

export interface AdminImagesDeps {
  images: ProductImagesService;
  audit: Pick<AuditService, 'recordOwnerAction'>;
  /** The largest upload accepted (IMAGE_MAX_BYTES). */
  maxBytes: number;
}

const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
const refusal = (status: number, errors: ImageFormErrors): ImageResult => ({ ok: false, status, errors });

/** Runs a change; a refusal the owner can correct (bad alt text, bad image) becomes the field's message. */
async function attempt(field: keyof ImageFormErrors, fn: () => Promise<void>): Promise<ImageResult> {
  try {
    await fn();
    return { ok: true };
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    return refusal(err.status, { [field]: err.message });
  }
}

/** The owner's image page: uploads, alt text, order and deletion, each with its audit row in the change's transaction. */
export function createAdminImagesService({ images, audit, maxBytes }: AdminImagesDeps) {
  return {
    maxBytes,

    /** The product and its images in order; `product_not_found` (404) for an unknown SKU. */
    listImages: (sku: string) => images.listImages(sku),

    /** One image of the product (for the delete confirmation); `image_not_found` (404) for another id. */
    async findImage(sku: string, id: number) {
      const { product, images: list } = await images.listImages(sku);
      const image = list.find((i) => i.id === id);
      if (!image) throw new NotFoundError('We could not find that image of this product.', 'image_not_found');
      return { product, image };
    },

    /** Checks, resizes and stores an upload, then adds it as the product's last image; nothing is kept when any step fails. */
    async upload(actor: AuditActor, sku: string, upload: ImageUpload): Promise<ImageResult> {
      const { product, images: current } = await images.listImages(sku);
      if (upload.tooLarge)
        return refusal(413, { file: `This file is larger than ${megabytes(maxBytes)}, the largest image the shop accepts.` });
      if (!upload.bytes || upload.bytes.length === 0) return refusal(400, { file: 'Choose an image file to upload.' });
      const bytes = upload.bytes;
      const altProblem = await attempt('alt', async () => void validateAlt(upload.alt));
      if (!altProblem.ok) return altProblem;
      if (current.length >= MAX_IMAGES) return refusal(409, { file: `A product can have at most ${MAX_IMAGES} images; delete one first.` });
      return attempt('file', async () => {
        const stored = await images.storeUpload(bytes);
        try {
          await images.transaction(async (tx) => {
            const image = await images.addImage(product.sku, stored, upload.alt, tx);
            const after = { id: image.id, alt: image.alt, position: image.position, width: image.width, height: image.height };
            await audit.recordOwnerAction({ actor, action: 'product.image.add', subject: product.sku, after }, tx);
          });
        } catch (err) {
          await images.deleteObjects(stored);
          throw err;
        }
      });
    },

    /** Changes one image's alt text. */
    setAlt(actor: AuditActor, sku: string, id: number, alt: string): Promise<ImageResult> {
      return attempt('alt', () =>
        images.transaction(async (tx) => {
          const change = await images.setAlt(sku, id, alt, tx);
          if (change.before === change.after) return;
          const [before, after] = [
            { id, alt: change.before },
            { id, alt: change.after },
          ];
          await audit.recordOwnerAction({ actor, action: 'product.image.alt', subject: change.sku, before, after }, tx);
        }),
      );
    },

    /** Moves one image a place up or down the gallery (the first is the product's card image). */
    async move(actor: AuditActor, sku: string, id: number, direction: 'up' | 'down'): Promise<void> {
      await images.transaction(async (tx) => {
        const { sku: subject, from, to } = await images.moveImage(sku, id, direction, tx);
        if (from === to) return;
        const [before, after] = [
          { id, position: from },
          { id, position: to },
        ];
        await audit.recordOwnerAction({ actor, action: 'product.image.move', subject, before, after }, tx);
      });
    },

    /** Deletes one image; its stored renditions are removed once the deletion is committed. */
    async remove(actor: AuditActor, sku: string, id: number): Promise<void> {
      const removed = await images.transaction(async (tx) => {
        const { sku: subject, image } = await images.removeImage(sku, id, tx);
        const before = { id, url: image.url, alt: image.alt, position: image.position };
        await audit.recordOwnerAction({ actor, action: 'product.image.delete', subject, before }, tx);
        return image;
      });
      await images.deleteObjects(removed.renditions);
    },
  };
}

export type AdminImagesService = ReturnType<typeof createAdminImagesService>;
