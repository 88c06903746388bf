import { MEDIA_PATH } from '../catalog/product-image.js';
import type { OwnerImage } from '../catalog/product-images.service.js';
import type { ViewContext } from '../pages/view-context.js';
import { AdminFrame } from './admin-frame.view.js';
import type { ImageFormErrors } from './admin-images.service.js';

/** What the page says after a change (the redirect's `?done=`). */
export const IMAGE_NOTICES = {
  added: 'Image added.',
  alt: 'Alt text saved.',
  moved: 'Image moved.',
  deleted: 'Image deleted.',
} as const;
export type ImageNotice = keyof typeof IMAGE_NOTICES;

export interface ImagesPageProps {
  ctx: ViewContext;
  product: { sku: string; name: string };
  images: OwnerImage[];
  maxBytes: number;
  notice?: ImageNotice | null;
  /** The upload form's problems and its alt text as typed. */
  upload?: { errors: ImageFormErrors; alt: string };
  /** One image's alt text form's problem and its text as typed. */
  altError?: { id: number; message: string; alt: string };
}

const base = (sku: string) => `/admin/products/${encodeURIComponent(sku)}/images`;

/** The smallest stored rendition for the thumbnail; an image given as a URL is shown from it. */
function thumbnailOf(image: OwnerImage): string {
  const small = image.renditions.filter((r) => r.type === 'image/webp').sort((a, b) => a.width - b.width)[0];
  return small ? `${MEDIA_PATH}${small.key}` : image.url;
}

function ImageRow({
  sku,
  image,
  index,
  count,
  altError,
}: {
  sku: string;
  image: OwnerImage;
  index: number;
  count: number;
  altError?: ImagesPageProps['altError'];
}) {
  const url = `${base(sku)}/${image.id}`;
  const fieldId = `image-${image.id}-alt`;
  const error = altError?.id === image.id ? altError : undefined;
  return (
    <li class="admin-image">
      {image.blockedHost ? (
        <p class="admin-image-thumb admin-image-blocked">{`Not shown: ${image.blockedHost} is not in IMAGE_HOSTS`}</p>
      ) : (
        <img class="admin-image-thumb" src={thumbnailOf(image)} alt="" width={160} height={120} loading="lazy" />
      )}
      <div class="admin-image-body">
        <p class="admin-image-facts">
          {`Image ${index + 1} of ${count}`}
          {index === 0 && ' · shown on the product card'}
          {image.width && image.height ? ` · ${image.width} × ${image.height}` : ' · given as a URL'}
        </p>
        {image.blockedHost && (
          <p class="notice error">
            {`The shop cannot show this image: its host ${image.blockedHost} is not in IMAGE_HOSTS, so the browser blocks it. Add the host to IMAGE_HOSTS, or delete this image and upload the picture instead.`}
          </p>
        )}
        <form method="post" action={`${url}/alt`} class={error ? 'field invalid' : 'field'} novalidate>
          <label for={fieldId}>Alt text</label>
          <div class="admin-image-alt">
            <input
              id={fieldId}
              type="text"
              name="alt"
              value={error ? error.alt : image.alt}
              maxLength={300}
              required
              aria-invalid={error ? 'true' : undefined}
              aria-describedby={error ? `${fieldId}-error` : undefined}
            />
            <button type="submit" class="secondary">
              Save alt text
            </button>
          </div>
          {error && (
            <p class="field-error" id={`${fieldId}-error`}>
              {error.message}
            </p>
          )}
        </form>
        <div class="form-actions">
          {index > 0 && (
            <form method="post" action={`${url}/move`}>
              <input type="hidden" name="direction" value="up" />
              <button type="submit" class="secondary">
                Move up
                <span class="visually-hidden">{` (image ${index + 1})`}</span>
              </button>
            </form>
          )}
          {index < count - 1 && (
            <form method="post" action={`${url}/move`}>
              <input type="hidden" name="direction" value="down" />
              <button type="submit" class="secondary">
                Move down
                <span class="visually-hidden">{` (image ${index + 1})`}</span>
              </button>
            </form>
          )}
          <a class="button secondary" href={`${url}/delete`}>
            Delete…
            <span class="visually-hidden">{` (image ${index + 1})`}</span>
          </a>
        </div>
      </div>
    </li>
  );
}

function UploadForm({ sku, maxBytes, upload }: { sku: string; maxBytes: number; upload?: ImagesPageProps['upload'] }) {
  const errors = upload?.errors ?? {};
  const mb = Math.round((maxBytes / 1024 / 1024) * 10) / 10;
  return (
    <form class="admin-image-upload" method="post" action={base(sku)} enctype="multipart/form-data" novalidate>
      <h2>Add an image</h2>
      <div class={errors.file ? 'field invalid' : 'field'}>
        <label for="image-file">Image file</label>
        <p class="field-hint" id="image-file-hint">
          {`JPEG, PNG, WebP or AVIF, up to ${mb} MB. The shop keeps resized copies without the photo's metadata (EXIF, GPS).`}
        </p>
        <input
          id="image-file"
          type="file"
          name="file"
          accept="image/jpeg,image/png,image/webp,image/avif"
          required
          aria-invalid={errors.file ? 'true' : undefined}
          aria-describedby={`image-file-hint${errors.file ? ' image-file-error' : ''}`}
        />
        {errors.file && (
          <p class="field-error" id="image-file-error">
            {errors.file}
          </p>
        )}
      </div>
      <div class={errors.alt ? 'field invalid' : 'field'}>
        <label for="image-alt">Alt text</label>
        <p class="field-hint" id="image-alt-hint">
          What the image shows, for people who cannot see it.
        </p>
        <input
          id="image-alt"
          type="text"
          name="alt"
          value={upload?.alt ?? ''}
          maxLength={300}
          required
          aria-invalid={errors.alt ? 'true' : undefined}
          aria-describedby={`image-alt-hint${errors.alt ? ' image-alt-error' : ''}`}
        />
        {errors.alt && (
          <p class="field-error" id="image-alt-error">
            {errors.alt}
          </p>
        )}
      </div>
      <div class="form-actions">
        <button type="submit">Upload image</button>
      </div>
    </form>
  );
}

/** GET /admin/products/:sku/images: the gallery in order, each image's alt text, order and delete; the upload form. */
export function AdminImagesPage({ ctx, product, images, maxBytes, notice, upload, altError }: ImagesPageProps) {
  const failed = Boolean(altError || (upload && Object.keys(upload.errors).length > 0));
  return (
    <AdminFrame ctx={ctx} title={`Images of ${product.sku}`} section="products">
      <p>
        <a href={`/admin/products/${encodeURIComponent(product.sku)}/edit`}>{`Back to ${product.name}`}</a>
      </p>
      {notice && (
        <p class="notice success" role="status">
          {IMAGE_NOTICES[notice]}
        </p>
      )}
      {failed && (
        <p class="notice error" role="alert">
          Nothing was changed. Please correct the highlighted field.
        </p>
      )}
      {images.length === 0 ? (
        <p class="empty">This product has no images yet.</p>
      ) : (
        <ol class="admin-images">
          {images.map((image, i) => (
            <ImageRow sku={product.sku} image={image} index={i} count={images.length} altError={altError} />
          ))}
        </ol>
      )}
      <UploadForm sku={product.sku} maxBytes={maxBytes} upload={upload} />
    </AdminFrame>
  );
}

/** GET …/images/:id/delete: asks before deleting, so a stray click (or no JavaScript) deletes nothing. */
export function AdminImageDeletePage({
  ctx,
  product,
  image,
}: {
  ctx: ViewContext;
  product: { sku: string; name: string };
  image: OwnerImage;
}) {
  return (
    <AdminFrame ctx={ctx} title={`Delete an image of ${product.sku}?`} section="products">
      {!image.blockedHost && (
        <img class="admin-image-thumb admin-image-confirm" src={thumbnailOf(image)} alt={image.alt} width={160} height={120} />
      )}
      <p>{`“${image.alt}” will be removed from the shop and from storage. This cannot be undone.`}</p>
      <div class="form-actions">
        <form method="post" action={`${base(product.sku)}/${image.id}/delete`}>
          <button type="submit">Delete image</button>
        </form>
        <a href={base(product.sku)}>Cancel</a>
      </div>
    </AdminFrame>
  );
}
