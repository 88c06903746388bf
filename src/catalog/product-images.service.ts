import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { FileStorage } from '../fulfilment/storage.js';
import type { Database, Tx } from '../platform/db/db.js';
import { AppError, NotFoundError, ValidationError } from '../platform/errors.js';
import { makeRenditions } from './image-renditions.js';
import { MEDIA_PATH, parseRenditions, type StoredRendition } from './product-image.js';
import { createProductImagesRepo } from './product-images.repo.js';
import { parseSku } from './sku.js';

/** A product keeps at most this many images (the catalog's own limit for imported galleries). */
export const MAX_IMAGES = 20;
/** Keys the store chooses for uploads: a random directory per upload, a file per width and type; never rewritten. */
const MEDIA_KEY = /^images\/[0-9a-f]{24}\/\d{1,5}\.(avif|webp)$/;
const typeOfKey = (key: string) => (key.endsWith('.avif') ? 'image/avif' : 'image/webp');

/** An image as the owner's page lists it. */
export interface OwnerImage {
  id: number;
  url: string;
  alt: string;
  position: number;
  width: number | null;
  height: number | null;
  renditions: StoredRendition[];
  /** An https:// image whose host is not in IMAGE_HOSTS (stored before the rule): the CSP blocks it. */
  blockedHost: string | null;
}

export interface ProductImagesDeps {
  db: Database;
  storage: FileStorage;
  /** Cleared before and after every change, as the catalog's own writes do. */
  caches: { changed(): void };
  clock?: () => number;
  /** IMAGE_HOSTS: external images elsewhere are flagged as blocked. */
  imageHosts?: readonly string[];
}

/** The host of an https:// image the CSP does not allow, or null. */
function blockedHostOf(url: string, hosts: readonly string[]): string | null {
  if (!url.startsWith('https://')) return null;
  try {
    const host = new URL(url).hostname.toLowerCase();
    return hosts.includes(host) ? null : host;
  } catch {
    return null;
  }
}

const productNotFound = () => new NotFoundError('We could not find that product.', 'product_not_found');
const imageNotFound = () => new NotFoundError('We could not find that image of this product.', 'image_not_found');

/** Checks an image's alt text: what a screen reader says instead of the picture. */
export function validateAlt(raw: string): string {
  const alt = raw.replace(/\s+/g, ' ').trim();
  if (alt.length === 0)
    throw new ValidationError('Describe the image in a few words for people who cannot see it.', undefined, 'invalid_alt');
  if (alt.length > 300) throw new ValidationError('Alt text can be at most 300 characters.', undefined, 'invalid_alt');
  return alt;
}

/**
 * A product's uploaded images: renditions made by sharp, kept in the file storage (local or S3)
 * and served by the store at /media/; the rows in product_images, in gallery order.
 */
export function createProductImagesService({ db, storage, caches, clock = Date.now, imageHosts = [] }: ProductImagesDeps) {
  const repo = createProductImagesRepo(db);
  const toOwnerImage = (r: Awaited<ReturnType<typeof repo.findByProduct>>[number]): OwnerImage => ({
    id: r.id,
    url: r.url,
    alt: r.alt,
    position: r.position,
    width: r.width,
    height: r.height,
    renditions: parseRenditions(r.renditions),
    blockedHost: blockedHostOf(r.url, imageHosts),
  });

  /** The product locked for a change of its gallery, its images, and a change of its update time. */
  async function openGallery(rawSku: string, tx: Tx) {
    const sku = parseSku(rawSku);
    const product = sku ? await repo.findProductForUpdate(sku, tx) : undefined;
    if (!product) throw productNotFound();
    const images = (await repo.findByProduct(product.id, tx)).map(toOwnerImage);
    // Always later than before: rendered cards and pages are kept by product id and update time.
    const touch = () => repo.touchProduct(product.id, Math.max(clock(), product.updated_at + 1), tx);
    return { product, images, touch };
  }

  function find(images: OwnerImage[], id: number): OwnerImage {
    const image = images.find((i) => i.id === id);
    if (!image) throw imageNotFound();
    return image;
  }

  async function deleteObjects(renditions: StoredRendition[]): Promise<void> {
    // Best effort: the row is what the shop shows; an object left behind is only space.
    await Promise.allSettled(renditions.map((r) => storage.delete(r.key)));
  }

  return {
    /** A product (any status) and its images in order; `product_not_found` for an unknown SKU. */
    async listImages(rawSku: string): Promise<{ product: { sku: string; name: string }; images: OwnerImage[] }> {
      const sku = parseSku(rawSku);
      const product = sku ? await repo.findProduct(sku) : undefined;
      if (!product) throw productNotFound();
      const images = (await repo.findByProduct(product.id)).map(toOwnerImage);
      return { product: { sku: product.sku, name: product.name }, images };
    },

    /**
     * Makes the renditions of an upload and puts them in storage under a new key each. Refused
     * bytes (ImageRefusedError) store nothing; a failed put removes what was put before it.
     */
    async storeUpload(bytes: Buffer): Promise<StoredRendition[]> {
      const files = await makeRenditions(bytes);
      const dir = `images/${randomBytes(12).toString('hex')}`;
      const stored: StoredRendition[] = files.map((f) => ({
        key: `${dir}/${f.width}.${f.type === 'image/avif' ? 'avif' : 'webp'}`,
        type: f.type,
        width: f.width,
        height: f.height,
      }));
      try {
        for (const [i, f] of files.entries()) await storage.put(stored[i]!.key, f.data, f.type);
      } catch (err) {
        await deleteObjects(stored);
        throw err;
      }
      return stored;
    },

    /** Removes stored renditions (an upload whose row was not written, or a deleted image's). */
    deleteObjects,

    /** Runs fn in one transaction, the catalog caches cleared before and after it commits. */
    async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      caches.changed();
      try {
        return await db.transaction(fn);
      } finally {
        caches.changed();
      }
    },

    /** Adds stored renditions as the product's last image; `too_many_images` past MAX_IMAGES. */
    async addImage(rawSku: string, renditions: StoredRendition[], rawAlt: string, tx: Tx): Promise<OwnerImage> {
      const alt = validateAlt(rawAlt);
      const { product, images, touch } = await openGallery(rawSku, tx);
      if (images.length >= MAX_IMAGES)
        throw new AppError('too_many_images', `A product can have at most ${MAX_IMAGES} images; delete one first.`, 409);
      // The gallery's image is the largest WebP: every browser shows it, and srcset offers the rest.
      const main = renditions.filter((r) => r.type === 'image/webp').sort((a, b) => b.width - a.width)[0]!;
      const row = {
        product_id: product.id,
        url: `${MEDIA_PATH}${main.key}`,
        alt,
        position: images.length,
        width: main.width,
        height: main.height,
        renditions: JSON.stringify(renditions),
      };
      const id = await repo.insert(row, tx);
      await touch();
      return { id, ...row, renditions, blockedHost: null };
    },

    /** Changes an image's alt text; returns it before and after. */
    async setAlt(rawSku: string, id: number, rawAlt: string, tx: Tx): Promise<{ sku: string; before: string; after: string }> {
      const alt = validateAlt(rawAlt);
      const { product, images, touch } = await openGallery(rawSku, tx);
      const image = find(images, id);
      if (image.alt === alt) return { sku: product.sku, before: alt, after: alt };
      await repo.updateAlt(id, alt, tx);
      await touch();
      return { sku: product.sku, before: image.alt, after: alt };
    },

    /** Moves an image one place earlier or later; positions before and after (equal at either end). */
    async moveImage(rawSku: string, id: number, direction: 'up' | 'down', tx: Tx): Promise<{ sku: string; from: number; to: number }> {
      const { product, images, touch } = await openGallery(rawSku, tx);
      const from = images.indexOf(find(images, id));
      const to = Math.min(images.length - 1, Math.max(0, from + (direction === 'up' ? -1 : 1)));
      if (from === to) return { sku: product.sku, from, to };
      const order = images.map((i) => i.id);
      [order[from], order[to]] = [order[to]!, order[from]!];
      await repo.updatePositions(order, tx);
      await touch();
      return { sku: product.sku, from, to };
    },

    /** Deletes an image's row (the others close up); returns it, for deleteObjects once committed. */
    async removeImage(rawSku: string, id: number, tx: Tx): Promise<{ sku: string; image: OwnerImage }> {
      const { product, images, touch } = await openGallery(rawSku, tx);
      const image = find(images, id);
      await repo.delete(id, tx);
      await repo.updatePositions(
        images.filter((i) => i.id !== id).map((i) => i.id),
        tx,
      );
      await touch();
      // A duplicated product shares the upload's URL: its objects stay while any row still shows them.
      const shared = image.renditions.length > 0 && (await repo.countUsing(image.url, tx)) > 0;
      return { sku: product.sku, image: shared ? { ...image, renditions: [] } : image };
    },

    /** A stored rendition to send: its bytes, type and size; `not_found` for any other key. */
    async openMedia(key: string): Promise<{ stream: Readable; type: string; size: number }> {
      if (!MEDIA_KEY.test(key)) throw new NotFoundError();
      const info = await storage.stat(key);
      if (!info) throw new NotFoundError();
      return { stream: await storage.createReadStream(key), type: typeOfKey(key), size: info.size };
    },
  };
}

export type ProductImagesService = ReturnType<typeof createProductImagesService>;
