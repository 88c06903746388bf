import { randomBytes } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../platform/config.js';
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
 * Who a request's cart belongs to. The one place that decides: a logged-in user's subject, else the
 * visitor's `guest:<id>` from the signed cookie. A missing, tampered or malformed cookie counts as
 * no cart at all (an empty cart, never an error).
 */
export function createCartOwners({ config, cart }: { config: Config; cart: Pick<CartService, 'mergeGuestCart'> }) {
  const cookie = guestCartCookie(config);

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

  /**
   * Merges the visitor's cart into the user's and forgets the visitor's cookie; null when there was
   * none. For the login callback: redirecting to `/cart?notice=merged` (or `merged_capped` when
   * `capped` is not empty) tells the user what happened.
   */
  async function mergeAtLogin(request: FastifyRequest, reply: FastifyReply, sub: string): Promise<MergeReport | null> {
    const guest = guestId(request);
    if (!guest) return null;
    const report = await cart.mergeGuestCart(guest, sub);
    forgetGuest(reply);
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
     * The owner for a cart route. A logged-in user who still carries a visitor's cookie (logged in
     * elsewhere than through the callback, or before the merge was wired) gets it merged here first.
     */
    async resolve(request: FastifyRequest, reply: FastifyReply): Promise<{ ownerId: string | null; merged: MergeReport | null }> {
      const sub = userSub(request);
      const merged = sub ? await mergeAtLogin(request, reply, sub) : null;
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
