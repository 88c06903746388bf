import { crc32 } from 'node:zlib';
import type { FileSource } from './product-files.service.js';

// 2026-01-01 00:00 in MS-DOS time and date: fixed, so the demo archives are byte-for-byte the same on every start.
const DOS_TIME = 0;
const DOS_DATE = ((2026 - 1980) << 9) | (1 << 5) | 1;
const UTF8_NAMES = 0x0800;

/** A ZIP archive of uncompressed ("stored") entries: small, valid, and deterministic. */
export function storedZip(entries: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const fileName = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(10, 4); // version needed: 1.0, stored
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(0, 8); // method: stored
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4); // made by: Unix, 2.0
    central.writeUInt16LE(10, 6);
    central.writeUInt16LE(UTF8_NAMES, 8);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // a regular file, rw-r--r--
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * The demo download of a file product: "<product name>.zip" with a README and a few KB of sample
 * content, the same bytes on every start (so storage keeps one copy per product).
 */
export function demoProductFile(product: { sku: string; name: string; summary?: string }): FileSource {
  const readme = [
    product.name,
    '='.repeat(Math.min(product.name.length, 72)),
    '',
    product.summary ?? '',
    '',
    `This archive is the demo download of ${product.sku}. A real shop delivers the product's files here:`,
    'the store signs a short-lived link for each download, counts it against the purchase, and logs it.',
    '',
  ].join('\n');
  const sample = Array.from(
    { length: 64 },
    (_, i) => `${product.sku} sample line ${String(i + 1).padStart(2, '0')}: the quick brown fox jumps over the lazy dog.`,
  ).join('\n');
  const zip = storedZip([
    { name: 'README.txt', data: Buffer.from(readme, 'utf8') },
    { name: 'sample/content.txt', data: Buffer.from(`${sample}\n`, 'utf8') },
  ]);
  return { filename: `${product.name}.zip`, contentType: 'application/zip', buffer: zip };
}
