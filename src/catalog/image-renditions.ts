import type { Metadata } from 'sharp';
import { AppError } from '../platform/errors.js';

/** The widths made of every upload: product cards, and the product page's gallery. */
export const CARD_WIDTH = 480;
export const GALLERY_WIDTH = 1200;
/** Larger images are refused before decoding (a small file can claim a huge canvas). */
const MAX_PIXELS = 50_000_000;

export type RenditionType = 'image/avif' | 'image/webp';

/** One resized, metadata-free copy of an upload. */
export interface RenditionFile {
  type: RenditionType;
  width: number;
  height: number;
  data: Buffer;
}

/** An upload that is not an image of an accepted type, or cannot be read. */
export class ImageRefusedError extends AppError {
  constructor(code: 'image_type_not_allowed' | 'image_unreadable', message: string) {
    super(code, message, code === 'image_type_not_allowed' ? 415 : 400);
  }
}

/**
 * sharp is loaded on the first upload: libvips and its bindings cost an instance some 7 MB of
 * resident memory (measured), for what only the owner's image uploads use.
 */
const loadSharp = () => import('sharp').then((m) => m.default);

const ACCEPTED = 'JPEG, PNG, WebP or AVIF';
const unreadable = () =>
  new ImageRefusedError('image_unreadable', `This file could not be read as an image. Please upload a ${ACCEPTED} file.`);

/** The image's format judged by its bytes (never its name or declared type), if it is one we accept. */
async function acceptedFormat(bytes: Buffer): Promise<{ width: number; height: number }> {
  const sharp = await loadSharp();
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: MAX_PIXELS }).metadata();
  } catch {
    throw new ImageRefusedError('image_type_not_allowed', `This file is not a ${ACCEPTED} image.`);
  }
  // AVIF is HEIF with AV1 compression; other HEIF (HEIC photos) is not accepted.
  const ok = ['jpeg', 'png', 'webp'].includes(meta.format) || (meta.format === 'heif' && meta.compression === 'av1');
  if (!ok) throw new ImageRefusedError('image_type_not_allowed', `This file is ${meta.format.toUpperCase()}; please upload ${ACCEPTED}.`);
  if (!meta.width || !meta.height) throw unreadable();
  if (meta.width * meta.height > MAX_PIXELS)
    throw new ImageRefusedError(
      'image_unreadable',
      `This image is ${meta.width} × ${meta.height} pixels; at most 50 megapixels are accepted.`,
    );
  // EXIF orientations 5 to 8 turn the picture a quarter: upright, its width is the stored height.
  const turned = (meta.orientation ?? 1) >= 5;
  return { width: turned ? meta.height : meta.width, height: turned ? meta.width : meta.height };
}

/** The widths to make: the card's and the gallery's, never wider than the original (no upscaling). */
export function renditionWidths(originalWidth: number): number[] {
  return [...new Set([CARD_WIDTH, GALLERY_WIDTH].map((w) => Math.min(w, originalWidth)))];
}

/**
 * AVIF and WebP copies of an upload at the card and gallery widths, turned upright by its EXIF
 * orientation. Nothing of the original's metadata (EXIF, GPS, XMP, colour profile) is kept: sharp
 * writes none unless asked. Throws ImageRefusedError for anything but a readable JPEG/PNG/WebP/AVIF.
 */
export async function makeRenditions(bytes: Buffer): Promise<RenditionFile[]> {
  const { width } = await acceptedFormat(bytes);
  const sharp = await loadSharp();
  try {
    // Decoded once; each output is a clone of the same pipeline. failOn 'error' refuses truncated files.
    const base = sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: 'error' }).rotate();
    const outputs = renditionWidths(width).flatMap((w) =>
      (['image/avif', 'image/webp'] as const).map(async (type) => {
        const resized = base.clone().resize({ width: w, withoutEnlargement: true });
        const encoded = type === 'image/avif' ? resized.avif({ quality: 55, effort: 2 }) : resized.webp({ quality: 80 });
        const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
        return { type, width: info.width, height: info.height, data };
      }),
    );
    return await Promise.all(outputs);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw unreadable();
  }
}
