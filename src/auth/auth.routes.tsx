import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../platform/config.js';
import { UnauthorizedError } from '../platform/errors.js';
import { authCookies } from './auth.cookies.js';
import type { AuthService } from './auth.service.js';
import { LogoutPage } from './auth.views.js';
import { safeReturnTo } from './return-to.js';
import { REFRESH_MARGIN_MS, type SessionService } from './session.service.js';
import { KEEPALIVE_SCRIPT } from './session-keepalive.script.js';

// No length limit here: an unusable returnTo is ignored (safeReturnTo), never a reason to refuse the login.
const returnToQuery = Type.Object({ returnTo: Type.Optional(Type.String()) });
/** Per client: enough for a person and a few tabs, too few for scripted abuse of the provider. */
const loginLimit = { max: 30, timeWindow: '1 minute' };

export interface AuthRoutesOptions {
  config: Config;
  auth: AuthService;
  sessions: SessionService;
  /** Runs after a successful login, before the redirect (the visitor's cart joins the user's). */
  onLogin?: (request: FastifyRequest, reply: FastifyReply, sub: string) => Promise<unknown>;
}

/** The JSON the client script and API clients see about the current session (never a token). */
function sessionJson(request: FastifyRequest, clock: () => number) {
  const auth = request.auth;
  return {
    authenticated: auth !== null,
    user: auth && { sub: auth.user.sub, email: auth.user.email, name: auth.user.name, roles: auth.user.roles, isOwner: auth.user.isOwner },
    expiresIn: auth && Math.max(0, Math.floor((auth.accessExpiresAt - clock()) / 1000)),
    /** Seconds until the session is due for a refresh (the keep-alive script's next call); null: only a page load renews it. */
    refreshIn: auth && !auth.renewSilently ? Math.max(0, Math.ceil((auth.refreshAt - clock()) / 1000)) : null,
  };
}

/** /login, /register, /auth/callback, /auth/logout and the session API. */
export async function authRoutes(
  fastify: FastifyInstance,
  { config, auth, sessions, onLogin, clock = Date.now }: AuthRoutesOptions & { clock?: () => number },
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const cookies = authCookies(config);
  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

  for (const [path, register] of [
    ['/login', false],
    ['/register', true],
  ] as const) {
    app.get(
      path,
      { schema: { querystring: returnToQuery }, config: { rateLimit: { ...loginLimit, groupId: 'login' } } },
      async (request, reply) => {
        if (request.user) return noStore(reply).redirect(safeReturnTo(request.query.returnTo), 303);
        const started = await auth.startLogin({ returnTo: request.query.returnTo, register, binding: request.cookies[cookies.login.name] });
        reply.setCookie(cookies.login.name, started.binding, cookies.login.options);
        return noStore(reply).redirect(started.url, 303);
      },
    );
  }

  app.get('/auth/callback', { config: { rateLimit: loginLimit } }, async (request, reply) => {
    const query = new URLSearchParams(request.url.split('?')[1] ?? '');
    const { token, returnTo, sub, ended } = await auth.completeLogin({
      query,
      binding: request.cookies[cookies.login.name],
      previousSession: request.cookies[cookies.session.name],
    });
    if (token) reply.setCookie(cookies.session.name, token, cookies.session.options);
    if (ended) reply.clearCookie(cookies.session.name, { ...cookies.session.options, maxAge: undefined });
    if (request.cookies[cookies.renew.name]) reply.clearCookie(cookies.renew.name, { ...cookies.renew.options, maxAge: undefined });
    if (sub) await onLogin?.(request, reply, sub);
    return noStore(reply).redirect(returnTo, 303);
  });

  // A session without a refresh token, due for renewal: a silent round trip through the provider (auth.plugin.ts).
  app.get(
    '/auth/renew',
    { schema: { querystring: returnToQuery }, config: { rateLimit: { ...loginLimit, groupId: 'renew' } } },
    async (request, reply) => {
      const returnTo = safeReturnTo(request.query.returnTo);
      reply.setCookie(cookies.renew.name, '1', cookies.renew.options);
      const started = request.cookies[cookies.session.name]
        ? await auth.startRenewal({ returnTo, binding: request.cookies[cookies.login.name] })
        : null;
      if (!started) return noStore(reply).redirect(returnTo, 303);
      reply.setCookie(cookies.login.name, started.binding, cookies.login.options);
      return noStore(reply).redirect(started.url, 303);
    },
  );

  const logout = async (request: FastifyRequest, reply: FastifyReply) => {
    const next = await auth.logout(request.cookies[cookies.session.name]);
    reply.clearCookie(cookies.session.name, { ...cookies.session.options, maxAge: undefined });
    return noStore(reply).redirect(next, 303);
  };

  // The header's link logs out at once; one that another site started (a link, an image) or a
  // browser's prefetch only asks, and the page's form post is same-origin.
  app.get('/auth/logout', async (request, reply) => {
    if (!request.user) return reply.redirect('/', 303);
    const prefetch = /prefetch/i.test(String(request.headers['sec-purpose'] ?? request.headers.purpose ?? ''));
    if (!prefetch && !request.isCrossOrigin()) return logout(request, reply);
    return reply.render(<LogoutPage ctx={await request.viewContext(reply)} />);
  });

  app.post('/auth/logout', logout);

  app.get('/api/session', async (request, reply) => noStore(reply).send(sessionJson(request, clock)));

  // A long-lived page keeps its session alive: the script calls when the session is due (`refreshIn`); a token
  // with less than twice the margin left (at most half its lifetime) is refreshed now.
  app.post('/api/session/refresh', async (request, reply) => {
    const token = request.cookies[cookies.session.name];
    request.auth = request.auth?.method === 'session' && token ? await sessions.resolve(token, 2 * REFRESH_MARGIN_MS) : null;
    request.user = request.auth?.user ?? null;
    if (!request.auth) throw new UnauthorizedError('Your session has ended. Please log in again.', 'session_expired');
    return noStore(reply).send(sessionJson(request, clock));
  });

  app.get('/auth/session.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(KEEPALIVE_SCRIPT),
  );
}
