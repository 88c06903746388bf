import type { ProductImage } from './catalog.types.js';
import type { RenditionType } from './image-renditions.js';

/** Where the store serves stored images (src/catalog/media.routes.ts). */
export const MEDIA_PATH = '/media/';

/** A rendition of an upload as its row keeps it (JSON in product_images.renditions). */
export interface StoredRendition {
  key: string;
  type: RenditionType;
  width: number;
  height: number;
}

/** The renditions of a row, [] for an image given as a URL. */
export function parseRenditions(json: string | null | undefined): StoredRendition[] {
  return json ? (JSON.parse(json) as StoredRendition[]) : [];
}

/** A gallery row as pages show it: uploads with their srcsets (AVIF first) and size, URL images as they are. */
export function toProductImage(row: {
  url: string;
  alt: string;
  width?: number | null;
  height?: number | null;
  renditions?: string | null;
}): ProductImage {
  const renditions = parseRenditions(row.renditions);
  if (renditions.length === 0 || !row.width || !row.height) return { url: row.url, alt: row.alt };
  const sources = (['image/avif', 'image/webp'] as const)
    .map((type) => ({
      type,
      srcset: renditions
        .filter((r) => r.type === type)
        .map((r) => `${MEDIA_PATH}${r.key} ${r.width}w`)
        .join(', '),
    }))
    .filter((s) => s.srcset !== '');
  return { url: row.url, alt: row.alt, width: row.width, height: row.height, sources };
}
