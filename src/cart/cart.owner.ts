import { randomBytes } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../platform/config.js';
import type { CappedLine } from './cart.rules.js';
import { GUEST_OWNER_PREFIX, type CartService, type MergeReport } from './cart.service.js';

/** How long a visitor's cart is remembered since it last changed. */
export const GUEST_CART_DAYS = 30;
// 16 random bytes in base64url: unguessable, and the cookie is signed on top.
const GUEST_ID = /^[A-Za-z0-9_-]{22}$/;

/** The signed guest-cart cookie; `__Host-` prefixed with Secure cookies, like the auth cookies. */
export function guestCartCookie(config: Config): { name: string; options: CookieSerializeOptions } {
  const secure = config.secureCookies;
  return {
    name: `${secure ? '__Host-' : ''}cart`,
    options: { path: '/', httpOnly: true, secure, sameSite: 'lax', signed: true, maxAge: GUEST_CART_DAYS * 24 * 3600 },
  };
}

/**
 * A merge made while the user was on their way elsewhere (the login callback's redirect, a change
 * that redirects) is shown on the next cart page: a short-lived signed cookie carries its report.
 */
function mergeNoticeCookie(config: Config): { name: string; options: CookieSerializeOptions } {
  const secure = config.secureCookies;
  return {
    name: `${secure ? '__Host-' : ''}cart_merged`,
    options: { path: '/', httpOnly: true, secure, sameSite: 'lax', signed: true, maxAge: 600 },
  };
}

/** `<merged>|<sku>:<requested>:<kept>:<s|m>|…`: SKUs and small integers only, so a few hundred bytes at most. */
export function encodeMergeReport(report: MergeReport): string {
  return [
    String(report.merged),
    ...report.capped.slice(0, 10).map((c) => `${c.sku}:${c.requested}:${c.kept}:${c.reason === 'stock' ? 's' : 'm'}`),
  ].join('|');
}

/** The report back from the cookie (names are filled in from the cart by the page); null when malformed. */
export function decodeMergeReport(value: string): MergeReport | null {
  const [merged, ...entries] = value.split('|');
  if (!merged || !/^\d{1,4}$/.test(merged)) return null;
  const capped: CappedLine[] = [];
  for (const entry of entries) {
    const m = /^([A-Z0-9][A-Z0-9._-]{1,63}):(\d{1,3}):(\d{1,3}):([sm])$/.exec(entry);
    if (!m) return null;
    capped.push({ sku: m[1]!, name: m[1]!, requested: Number(m[2]), kept: Number(m[3]), reason: m[4] === 's' ? 'stock' : 'quantity_max' });
  }
  return { merged: Number(merged), capped };
}

/**
 * Who a request's cart belongs to. The one place that decides: a logged-in user's subject, else the
 * visitor's `guest:<id>` from the signed cookie. A missing, tampered or malformed cookie counts as
 * no cart at all (an empty cart, never an error).
 */
export function createCartOwners({ config, cart }: { config: Config; cart: Pick<CartService, 'mergeGuestCart'> }) {
  const cookie = guestCartCookie(config);
  const notice = mergeNoticeCookie(config);

  const userSub = (request: FastifyRequest): string | null => request.user?.sub ?? null;

  function guestId(request: FastifyRequest): string | null {
    const raw = request.cookies[cookie.name];
    if (!raw || raw.length > 200) return null;
    const { valid, value } = request.unsignCookie(raw);
    return valid && value !== null && GUEST_ID.test(value) ? value : null;
  }

  function forgetGuest(reply: FastifyReply) {
    reply.clearCookie(cookie.name, { ...cookie.options, maxAge: undefined });
  }

  function rememberMerge(reply: FastifyReply, report: MergeReport | null) {
    if (report && report.merged > 0) reply.setCookie(notice.name, encodeMergeReport(report), notice.options);
  }

  /** The report of a merge made on an earlier request, once: the cookie is cleared as it is read. */
  function takeMergeReport(request: FastifyRequest, reply: FastifyReply): MergeReport | null {
    const raw = request.cookies[notice.name];
    if (!raw) return null;
    reply.clearCookie(notice.name, { ...notice.options, maxAge: undefined });
    const { valid, value } = raw.length <= 1000 ? request.unsignCookie(raw) : { valid: false, value: null };
    return valid && value !== null ? decodeMergeReport(value) : null;
  }

  /** Moves the visitor's cart (if any) into the user's and forgets the visitor's cookie. */
  async function merge(request: FastifyRequest, reply: FastifyReply, sub: string): Promise<MergeReport | null> {
    const guest = guestId(request);
    if (!guest) return null;
    const report = await cart.mergeGuestCart(guest, sub);
    forgetGuest(reply);
    return report;
  }

  /**
   * For the login callback: merges the visitor's cart into the user's, and leaves the report for
   * the next cart page (quantities lowered to the stock or the maximum are listed there).
   */
  async function mergeAtLogin(request: FastifyRequest, reply: FastifyReply, sub: string): Promise<MergeReport | null> {
    const report = await merge(request, reply, sub);
    rememberMerge(reply, report);
    return report;
  }

  /** The owner for reading, without creating anything (the header badge). */
  function ownerOf(request: FastifyRequest): string | null {
    const sub = userSub(request);
    if (sub) return sub;
    const guest = guestId(request);
    return guest ? `${GUEST_OWNER_PREFIX}${guest}` : null;
  }

  return {
    ownerOf,
    mergeAtLogin,

    /**
     * The owner for a cart page or read. A logged-in user who still carries a visitor's cookie (say,
     * logged in from another tab) gets it merged here first. `merged` is that merge's report, or
     * with `takeNotice` one left by an earlier request (the login callback).
     */
    async resolve(
      request: FastifyRequest,
      reply: FastifyReply,
      { takeNotice = false } = {},
    ): Promise<{ ownerId: string | null; merged: MergeReport | null }> {
      const sub = userSub(request);
      const merged = (sub ? await merge(request, reply, sub) : null) ?? (takeNotice ? takeMergeReport(request, reply) : null);
      return { ownerId: ownerOf(request), merged };
    },

    /** Like resolve, for changes: a visitor without a cart gets one; a visitor's cookie is renewed for another GUEST_CART_DAYS. */
    async resolveForChange(request: FastifyRequest, reply: FastifyReply): Promise<string> {
      const sub = userSub(request);
      if (sub) {
        await mergeAtLogin(request, reply, sub);
        return sub;
      }
      const id = guestId(request) ?? randomBytes(16).toString('base64url');
      reply.setCookie(cookie.name, id, cookie.options);
      return `${GUEST_OWNER_PREFIX}${id}`;
    },
  };
}

export type CartOwners = ReturnType<typeof createCartOwners>;
