import { randomBytes } from 'node:crypto';

export interface FormPart {
  name: string;
  value?: string;
  /** a file part: its name as the browser sends it, its type and bytes */
  filename?: string;
  type?: string;
  data?: Buffer;
}

/** A multipart/form-data body as a browser builds it from a form with enctype="multipart/form-data". */
export function multipartBody(parts: FormPart[]): { payload: Buffer; contentType: string } {
  const boundary = `----StockTest${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = p.filename === undefined ? `form-data; name="${p.name}"` : `form-data; name="${p.name}"; filename="${p.filename}"`;
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.filename === undefined ? '' : `Content-Type: ${p.type ?? 'application/octet-stream'}\r\n`}\r\n`;
    chunks.push(Buffer.from(head), p.data ?? Buffer.from(p.value ?? ''), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The text of every `.import-problems` line on a keys page, entities decoded. */
export const problemLines = (body: string) =>
  [...body.matchAll(/<li data-line="\d+">([^<]*)<\/li>/g)].map((m) => m[1]!.replace(/&#x27;/g, "'").replace(/&amp;/g, '&'));

/** The four counts of a keys page. */
export const poolCounts = (body: string) =>
  Object.fromEntries([...body.matchAll(/data-count="(\w+)"><dt>[^<]*<\/dt><dd>(\d+)<\/dd>/g)].map((m) => [m[1]!, Number(m[2])])) as Record<
    'available' | 'reserved' | 'sold' | 'revoked',
    number
  >;
