import { randomBytes } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface Answer {
  url: string;
  status: number;
  location: string | null;
  body: string;
}

export interface RequestInit {
  method?: string;
  form?: Record<string, string>;
  json?: unknown;
  headers?: Record<string, string>;
}

/**
 * A small browser for the benchmark: a cookie jar per host:port, redirects followed by hand, keep-
 * alive connections, and trust in the bench's throwaway certificate for the https services.
 */
export class BenchBrowser {
  private readonly jar = new Map<string, Map<string, string>>();
  private readonly http = new HttpAgent({ keepAlive: true, maxSockets: 4 });
  private readonly https: HttpsAgent;

  /** A client address of its own, as the reverse proxy in front of the store reports it (X-Forwarded-For). */
  readonly address = `10.${[...randomBytes(3)].map((b) => (b % 250) + 1).join('.')}`;

  constructor(ca: Buffer) {
    this.https = new HttpsAgent({ keepAlive: true, maxSockets: 4, ca });
  }

  cookieHeader(url: string): string {
    return [...(this.jar.get(new URL(url).host) ?? [])].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(url: string, setCookies: string[]) {
    const host = new URL(url).host;
    if (!this.jar.has(host)) this.jar.set(host, new Map());
    for (const header of setCookies) {
      const [pair, ...attributes] = header.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      const gone = value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (gone) this.jar.get(host)!.delete(name);
      else this.jar.get(host)!.set(name, value);
    }
  }

  /** One request, no redirects followed; 15 s at most. */
  request(url: string, init: RequestInit = {}): Promise<Answer> {
    const target = new URL(url);
    const body = init.form ? new URLSearchParams(init.form).toString() : init.json !== undefined ? JSON.stringify(init.json) : undefined;
    const headers: Record<string, string> = { 'x-forwarded-for': this.address, ...(init.headers ?? {}) };
    const cookie = this.cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const secure = target.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(
        target,
        { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, agent: secure ? this.https : this.http, timeout: 15_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const setCookie = res.headers['set-cookie'] ?? [];
            this.remember(url, setCookie);
            const location = res.headers.location;
            resolve({
              url,
              status: res.statusCode ?? 0,
              location: location ? new URL(location, url).href : null,
              body: Buffer.concat(chunks).toString('utf8'),
            });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timeout: ${init.method ?? 'GET'} ${url}`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Follows redirects (at most 15) until a page answers or `stop` says so. */
  async follow(url: string, init: RequestInit = {}, stop: (location: string) => boolean = () => false): Promise<Answer> {
    let answer = await this.request(url, init);
    for (let hops = 0; answer.location && answer.status >= 300 && answer.status < 400 && !stop(answer.location); hops++) {
      if (hops >= 15) throw new Error(`too many redirects from ${url}`);
      answer = await this.request(answer.location);
    }
    return answer;
  }

  close() {
    this.http.destroy();
    this.https.destroy();
  }
}

export interface Buyer {
  browser: BenchBrowser;
  /** Cookie header for the store (the session) */
  cookie: string;
  sub: string;
}

/** The action of the first post form on a page. */
function formAction(page: Answer): string {
  const action = /<form[^>]*method="post"[^>]*action="([^"]+)"/.exec(page.body)?.[1];
  if (!action) throw new Error(`no form on ${page.url} (${page.status})`);
  return new URL(action.replaceAll('&amp;', '&'), page.url).href;
}

/**
 * Registers a new user at the identity provider through the store's /register, as a browser
 * does, and returns the store session it ends with.
 */
export async function registerBuyer(storeUrl: string, ca: Buffer): Promise<Buyer> {
  const browser = new BenchBrowser(ca);
  const store = new URL(storeUrl).origin;
  const atStore = (location: string) => new URL(location).origin === store && !location.includes('/auth/callback');
  const form = await browser.follow(`${storeUrl}/register?returnTo=/`);
  if (form.status !== 200) throw new Error(`the registration page did not open: ${form.status} ${form.url}`);
  const email = `bench-${randomBytes(6).toString('hex')}@example.com`;
  const done = await browser.follow(
    formAction(form),
    { form: { firstName: 'Bench', lastName: 'Buyer', email, password: 'bench-password-1234' } },
    atStore,
  );
  if (!done.location || !atStore(done.location))
    throw new Error(`registration did not come back to the store: ${done.status} ${done.url}\n${done.body.slice(0, 300)}`);
  const session = JSON.parse((await browser.request(`${storeUrl}/api/session`)).body) as {
    authenticated: boolean;
    user: { sub: string };
  };
  if (!session.authenticated) throw new Error('registered at the IdP but the store has no session');
  return { browser, cookie: browser.cookieHeader(storeUrl), sub: session.user.sub };
}
