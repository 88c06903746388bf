import type { CookieSerializeOptions } from '@fastify/cookie';
import type { Config } from '../platform/config.js';
import { LOGIN_TTL_MS } from './auth.service.js';
import { SESSION_ABSOLUTE_MS } from './session.service.js';

/**
 * How long after a silent renewal started no other one starts: one that succeeds or fails clears it
 * (a failure ends the session), so it only holds when the browser could not reach the provider.
 */
const RENEW_ATTEMPT_SECONDS = 5 * 60;

/**
 * The auth cookies. With Secure cookies (an https PUBLIC_URL) they carry the `__Host-` prefix, which
 * makes the browser refuse them unless Secure, Path=/ and without Domain: no subdomain can set or
 * shadow them. Browsers reject `__Host-` cookies without Secure, so on plain-http development they
 * use the bare names.
 */
export function authCookies(config: Config) {
  const secure = config.secureCookies;
  const prefix = secure ? '__Host-' : '';
  const base: CookieSerializeOptions = { path: '/', httpOnly: true, secure, sameSite: 'lax' };
  return {
    /** The session id; Lax so the redirect back from the provider (a top-level GET) carries it. */
    session: { name: `${prefix}sid`, options: { ...base, maxAge: SESSION_ABSOLUTE_MS / 1000 } },
    /** Binds a login transaction to the browser that started it. */
    login: { name: `${prefix}login`, options: { ...base, maxAge: LOGIN_TTL_MS / 1000 } },
    /** Set while a silent renewal runs: a renewal the provider cannot finish is not retried at once (no redirect loop). */
    renew: { name: `${prefix}renew`, options: { ...base, maxAge: RENEW_ATTEMPT_SECONDS } },
  };
}
