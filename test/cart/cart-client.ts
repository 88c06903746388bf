import type { FastifyInstance } from 'fastify';
import type { LightMyRequestResponse } from 'fastify';
import type { CartJson } from '../../src/cart/cart.present.js';
import { TEST_STORE_URL, TestBrowser, type PageResponse } from '../support/auth.js';

/** The guest-cart cookie's name under testConfig() (plain-http PUBLIC_URL, so no `__Host-` prefix). */
export const CART_COOKIE = 'cart';

/**
 * A browser on the cart: keeps cookies, posts the page's forms and calls the JSON API the way
 * public/cart.js does (a same-origin fetch: the browser sends Sec-Fetch-Site and Origin).
 */
export class CartClient {
  constructor(
    readonly app: FastifyInstance,
    readonly browser: TestBrowser = new TestBrowser(app),
  ) {}

  /** The `user_cart.user_id` of this visitor's cart, from the guest cookie (null before the first change). */
  guestOwner(): string | null {
    const cookie = this.browser.cookie(CART_COOKIE);
    return cookie ? `guest:${cookie.split('.')[0]}` : null;
  }

  /** GET /cart (with an optional query string). */
  open(query = ''): Promise<PageResponse> {
    return this.browser.request(`/cart${query}`);
  }

  /** Posts a form to /cart without following the redirect. */
  post(form: Record<string, string>): Promise<PageResponse> {
    return this.browser.request('/cart', { form });
  }

  /** Posts a form to /cart and follows the redirect back to the cart page. */
  submit(form: Record<string, string>): Promise<PageResponse> {
    return this.browser.follow('/cart', { form });
  }

  /** The cart as GET /api/cart answers it. */
  async cart(): Promise<CartJson> {
    return (await this.api('/api/cart')).json<CartJson>();
  }

  /**
   * A JSON API call: GET without a body, else POST (JSON unless told otherwise) with what a browser
   * says about a fetch from the store's page, or the `site` headers given instead.
   */
  async api(
    url: string,
    body?: unknown,
    options: { contentType?: string; raw?: string; site?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    const post = body !== undefined || options.raw !== undefined;
    const headers: Record<string, string> = { cookie: this.browser.cookieHeader(), accept: 'application/json' };
    if (post) headers['content-type'] = options.contentType ?? 'application/json';
    if (post) Object.assign(headers, options.site ?? { 'sec-fetch-site': 'same-origin', origin: TEST_STORE_URL });
    const payload =
      options.raw ??
      (body === undefined
        ? undefined
        : headers['content-type'] === 'application/json'
          ? JSON.stringify(body)
          : new URLSearchParams(body as Record<string, string>).toString());
    const res = await this.app.inject({ method: post ? 'POST' : 'GET', url, headers, payload, remoteAddress: this.browser.remoteAddress });
    const set = res.headers['set-cookie'];
    for (const header of set === undefined ? [] : Array.isArray(set) ? set : [set]) {
      const [pair] = header.split(';');
      const at = pair!.indexOf('=');
      const value = pair!.slice(at + 1);
      this.browser.setCookie(pair!.slice(0, at), value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(header) ? null : value);
    }
    return res;
  }
}

/** The text of a page without tags (for asserting what a user reads). */
export function visibleText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');
}

/** The cart page's rows as users read them: name, unit price, quantity field value, line total, warning. */
export function cartRows(html: string) {
  return [...html.matchAll(/<tr data-sku="([^"]+)"[^>]*>([\s\S]*?)<\/tr>/g)].map(([, sku, row]) => ({
    sku,
    name: visibleText(/<td class="cart-product">\s*<a [^>]*>([\s\S]*?)<\/a>/.exec(row!)![1]!).trim(),
    price: visibleText(/data-role="unit-price">([\s\S]*?)<\/td>/.exec(row!)![1]!).trim(),
    quantity: /name="quantity"[^>]*value="(\d+)"/.exec(row!)?.[1],
    total: visibleText(/data-role="line-total">([\s\S]*?)<\/td>/.exec(row!)![1]!).trim(),
    warning: /<div data-role="warning"><p class="stock [a-z-]+">([\s\S]*?)<\/p><\/div>/.exec(row!)?.[1] ?? null,
  }));
}

/** The header badge's number, or null when the badge is not shown. */
export function badge(html: string): number | null {
  const m = /class="cart-link">[\s\S]*?<span class="badge"[^>]*>(\d+)<\/span>/.exec(html);
  return m ? Number(m[1]) : null;
}
