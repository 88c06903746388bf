import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY = 16 * 1024;

/** Reads a small request body; rejects anything larger than 16 KiB. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw Object.assign(new Error('Request body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A urlencoded form as a plain map (the last value of a repeated field wins; absent fields are ''). */
export async function readForm(req: IncomingMessage): Promise<(name: string) => string> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    throw Object.assign(new Error('Expected a form submission'), { status: 415 });
  }
  const params = new URLSearchParams(await readBody(req));
  return (name) => (params.get(name) ?? '').slice(0, 1000);
}

/** Sends an HTML page with the headers every dev IdP page carries. */
export function sendHtml(res: ServerResponse, html: string, csp: string, status = 200) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': csp,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  });
  res.end(html);
}

/** Sends JSON (or an empty 204). */
export function sendJson(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) {
  if (body === undefined) {
    res.writeHead(status, { 'cache-control': 'no-store', ...headers });
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** A 303 redirect. */
export function redirect(res: ServerResponse, location: string) {
  res.writeHead(303, { location, 'cache-control': 'no-store' });
  res.end();
}
