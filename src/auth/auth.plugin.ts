import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import type { ViewSources } from '../pages/pages.plugin.js';
import type { Config } from '../platform/config.js';
import { wantsJson } from '../platform/error-handler.js';
import { AppError, NotFoundError, UnauthorizedError } from '../platform/errors.js';
import { authCookies } from './auth.cookies.js';
import type { AuthUser } from './auth.user.js';
import type { AuthContext, SessionService } from './session.service.js';
import { InvalidTokenError } from './token-verifier.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user (session cookie, or a Bearer token on /api), or null. */
    user: AuthUser | null;
    /** How the request authenticated, with its access token: for calls to the provider, never for pages. */
    auth: AuthContext | null;
  }
}

const CLEANUP_EVERY_MS = 10 * 60_000;
// Requests that never act for a user skip the session lookup.
const ANONYMOUS_PATHS = /^\/(assets\/|healthz$|readyz$|metrics$|favicon)/;

/**
 * A browser loading a page (not a script's fetch, an image or a form post): the only request a
 * silent renewal may redirect, since it is a round trip through the provider that must come back
 * to the same page.
 */
function isPageNavigation(request: FastifyRequest, path: string): boolean {
  if (request.method !== 'GET' || path.startsWith('/api/') || path.startsWith('/auth/')) return false;
  const mode = request.headers['sec-fetch-mode'];
  const dest = request.headers['sec-fetch-dest'];
  if (mode !== undefined || dest !== undefined) return mode === 'navigate' && (dest === undefined || dest === 'document');
  return (request.headers.accept ?? '').includes('text/html');
}

/** The Bearer token was refused (RFC 6750: 401 with a WWW-Authenticate challenge). */
class InvalidBearerTokenError extends AppError {
  constructor() {
    super('invalid_token', 'The access token is invalid or expired.', 401);
  }
}

/**
 * Guard for pages and JSON APIs: anonymous page requests are sent to log in (and back here
 * afterwards), anonymous API requests get 401 JSON. Use as `preHandler: requireUser`. Callback
 * style, the type routes declare (preHandlerHookHandler): a redirect sent here ends the request.
 */
export function requireUser(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
  if (request.user) return done();
  if (wantsJson(request)) return done(new UnauthorizedError('Please log in to continue.'));
  reply.header('cache-control', 'no-store').redirect(`/login?returnTo=${encodeURIComponent(request.url)}`, 303);
}

/**
 * Guard for the shop owner's pages: everyone without the owner role, anonymous visitors included,
 * gets the same 404 as an unknown URL (a redirect to log in would reveal that the area exists).
 * Use it as an `onRequest` hook, so it runs before schema validation, which would otherwise answer a
 * bad query with a 400 that leaks the route.
 */
export function requireOwner(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) {
  done(request.user?.isOwner ? undefined : new NotFoundError());
}

/** The layout's account links (wired into ViewSources in app.ts). */
export const authViewSources: Pick<ViewSources, 'currentUser'> = {
  currentUser: (request) => request.user && { name: request.user.name, email: request.user.email, isOwner: request.user.isOwner },
};

/** A Bearer-authenticated request carries no cookie authority: nothing for the cross-origin check to protect. */
export const hasNoCookieAuthority = (request: FastifyRequest) => request.auth?.method === 'bearer';

/**
 * Puts the user on every request: a Bearer token on /api, else the session cookie (validated and
 * refreshed by the session service; a dead session's cookie is cleared). Registers the periodic
 * cleanup of expired sessions.
 */
export const authPlugin = fp<{ config: Config; sessions: SessionService }>(
  async (app, { config, sessions }) => {
    const cookies = authCookies(config);
    app.decorateRequest('user', null);
    app.decorateRequest('auth', null);

    app.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      if (ANONYMOUS_PATHS.test(path)) return;
      const bearer = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/.exec(request.headers.authorization ?? '')?.[1];
      if (bearer && path.startsWith('/api/')) {
        try {
          request.auth = await sessions.verifyBearer(bearer);
        } catch (err) {
          if (!(err instanceof InvalidTokenError)) request.log.warn({ err }, 'cannot validate a Bearer token now');
          reply.header('www-authenticate', 'Bearer error="invalid_token"');
          throw new InvalidBearerTokenError();
        }
        request.user = request.auth.user;
        return;
      }
      const token = request.cookies[cookies.session.name];
      if (!token) return;
      const wellFormed = token.length <= 100;
      request.auth = wellFormed ? await sessions.resolve(token) : null;
      request.user = request.auth?.user ?? null;
      if (request.auth && !request.auth.renewSilently) return;
      // The cookie goes only with its session: while the provider is down the session waits for a later refresh.
      const status = request.auth ? 'renewable' : wellFormed ? await sessions.status(token) : 'none';
      if (status === 'none') reply.clearCookie(cookies.session.name, { ...cookies.session.options, maxAge: undefined });
      // No refresh token (a provider that issues one only with consent): renew through the provider on this page load.
      if (status === 'renewable' && !request.cookies[cookies.renew.name] && isPageNavigation(request, path)) {
        return reply.header('cache-control', 'no-store').redirect(`/auth/renew?returnTo=${encodeURIComponent(request.url)}`, 303);
      }
    });

    // Anything rendered for a signed-in user is personal: no shared cache may keep it.
    app.addHook('onSend', async (request, reply, payload) => {
      if (request.auth && !reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
      return payload;
    });

    let timer: NodeJS.Timeout | undefined;
    app.addHook('onReady', async () => {
      timer = setInterval(() => {
        sessions.deleteExpired().catch((err: unknown) => app.log.warn({ err }, 'expired session cleanup failed'));
      }, CLEANUP_EVERY_MS);
      timer.unref();
    });
    app.addHook('onClose', async () => {
      clearInterval(timer);
      await sessions.close();
    });
  },
  { name: 'auth' },
);
