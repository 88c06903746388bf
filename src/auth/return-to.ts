const BASE = 'http://store.invalid';

/**
 * The path to send the user back to after login: a same-site relative path, or `/` for anything
 * else (absolute or protocol-relative URLs, backslashes and control characters that browsers
 * rewrite into another host, and the login routes themselves, which would loop).
 */
export function safeReturnTo(input: unknown): string {
  if (typeof input !== 'string' || input.length === 0 || input.length > 2000) return '/';
  if (!input.startsWith('/') || input.startsWith('//')) return '/';
  // Browsers treat `\` as `/` and drop tabs and newlines, so `/\evil.example` means `//evil.example`.
  if ([...input].some((c) => c === '\\' || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return '/';
  let url: URL;
  try {
    url = new URL(input, BASE);
  } catch {
    return '/';
  }
  if (url.origin !== BASE) return '/';
  if (['/login', '/register'].includes(url.pathname) || url.pathname.startsWith('/auth/')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}
