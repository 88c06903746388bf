import { assetUrl } from '../platform/assets.js';
import type { ProductImage } from './catalog.types.js';

/** An image URL as the page should use it: files under /assets/ get their cache-busting version. */
export function imageSrc(url: string): string {
  return url.startsWith('/assets/') ? assetUrl(url.slice('/assets/'.length)) : url;
}

interface ProductPictureProps {
  image: ProductImage;
  /** How wide the image is shown, for the browser's choice among the srcset's widths. */
  sizes: string;
  class?: string;
  loading: 'eager' | 'lazy';
}

/**
 * A product image: an upload as a `<picture>` (AVIF, else WebP, at the width the layout needs) with
 * its width and height, so the page does not jump when it arrives; an image given as a URL as a plain `<img>`.
 */
export function ProductPicture({ image, sizes, class: className, loading }: ProductPictureProps) {
  const webp = image.sources?.find((s) => s.type === 'image/webp');
  const img = (
    <img
      class={className}
      src={imageSrc(image.url)}
      srcset={webp?.srcset}
      sizes={webp ? sizes : undefined}
      width={image.width}
      height={image.height}
      alt={image.alt}
      loading={loading}
      decoding="async"
    />
  );
  const others = image.sources?.filter((s) => s !== webp) ?? [];
  if (others.length === 0) return img;
  return (
    <picture>
      {others.map((s) => (
        <source type={s.type} srcset={s.srcset} sizes={sizes} />
      ))}
      {img}
    </picture>
  );
}
