import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { normaliseSku } from '../../catalog/sku.js';
import { AppError, NotFoundError } from '../../platform/errors.js';
import { stringOption, type Command } from '../command.js';
import { cliActor } from '../context.js';

/** Media types by extension for the files shops sell; anything else is application/octet-stream. */
const TYPES: Record<string, string> = {
  '.zip': 'application/zip',
  '.pdf': 'application/pdf',
  '.epub': 'application/epub+zip',
  '.gz': 'application/gzip',
  '.tgz': 'application/gzip',
  '.7z': 'application/x-7z-compressed',
  '.dmg': 'application/x-apple-diskimage',
  '.exe': 'application/vnd.microsoft.portable-executable',
  '.msi': 'application/x-msi',
  '.deb': 'application/vnd.debian.binary-package',
  '.appimage': 'application/octet-stream',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.flac': 'audio/flac',
  '.ogg': 'audio/ogg',
  '.mp4': 'video/mp4',
  '.mkv': 'video/x-matroska',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.psd': 'image/vnd.adobe.photoshop',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
};

const size = (bytes: number) =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

const attachCommand: Command = {
  name: 'files attach',
  summary: 'Attach a downloadable file to a file product',
  usage: '<sku> <path> [--name <filename>] [--type <media type>]',
  args: { min: 2, max: 2 },
  options: { name: { type: 'string' }, type: { type: 'string' } },
  help: `
The file is copied into the store's file storage (STORAGE_DRIVER: a local directory or S3) with
its size and SHA-256; buyers of the product download it through short-lived signed links.

Options:
  --name   the file name buyers see (default: the file's own name)
  --type   its media type (default: from the extension, e.g. application/zip)`,
  async run(ctx) {
    const [rawSku, path] = ctx.positionals as [string, string];
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) throw new AppError('cannot_read_file', `Cannot read ${path}: ${info ? 'it is not a file' : 'no such file'}.`);
    const sku = normaliseSku(rawSku);
    const { catalog, productFiles, db, audit } = await ctx.services();
    const [product] = await catalog.findCartProducts({ skus: [sku] });
    if (!product) throw new NotFoundError(`There is no product with SKU ${sku}.`, 'product_not_found');
    if (product.type !== 'file')
      throw new AppError('not_a_file_product', `${sku} is a ${product.type} product; files can only be attached to file products.`);
    const filename = stringOption(ctx.values.name) ?? basename(path);
    const contentType = stringOption(ctx.values.type) ?? TYPES[extname(filename).toLowerCase()] ?? 'application/octet-stream';
    // As the admin upload: the bytes into storage first (no lock held while a large file copies), then
    // the file's row and its audit row in one transaction; if that fails the bytes go too.
    const stored = await productFiles.storeUpload(product.id, { filename, contentType, path });
    const file = await db
      .transaction(async (tx) => {
        const f = await productFiles.recordStored(stored, tx);
        const after = { name: f.filename, size: f.size, sha256: f.sha256 };
        await audit.recordOwnerAction({ actor: cliActor(), action: 'product.file.upload', subject: sku, after }, tx);
        return f;
      })
      .catch(async (err: unknown) => {
        await productFiles.dropUnusedBytes(stored.storage_key).catch(() => undefined);
        throw err;
      });
    const count = (await productFiles.listFiles([product.id])).get(product.id)?.length ?? 1;
    ctx.out.line(
      `Attached ${file.filename} (${contentType}, ${size(file.size)}, sha256 ${file.sha256}) to ${sku}; it has ${count} file${count === 1 ? '' : 's'} now.`,
    );
  },
};

export const filesCommands: Command[] = [attachCommand];
