import Tokens from '@fastify/csrf';
import csrfProtection from '@fastify/csrf-protection';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { pooledRandomBytes } from '../platform/crypto.js';
import { AppError } from '../platform/errors.js';
import type { AuthCookies } from './auth.cookies.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `false` for routes that are never called with the session cookie (the gateway's webhook,
     * Bearer- or key-authenticated APIs): no CSRF token is asked for. Everything else that changes
     * state needs one.
     */
    csrf?: boolean;
  }
  interface FastifyReply {
    /** The CSRF token for this page's forms and scripts; a first visit also gets the secret's cookie. */
    formToken(): string;
  }
}

/** The token is missing or does not match this browser's secret. */
export class CsrfError extends AppError {
  constructor() {
    super('csrf_invalid', 'This form has expired or did not come from this site. Please reload the page and try again.', 403);
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The token from a form field `_csrf`, the `x-csrf-token` header, or (multipart forms only) the query. */
function getToken(request: FastifyRequest): string | undefined {
  const body = request.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && typeof body._csrf === 'string') return body._csrf;
  const header = request.headers['x-csrf-token'] ?? request.headers['csrf-token'];
  if (typeof header === 'string') return header;
  // A multipart body is parsed by its handler, after this check: such forms put the token in their action URL.
  if ((request.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
    const query = request.query as Record<string, unknown> | undefined;
    if (typeof query?._csrf === 'string') return query._csrf;
  }
  return undefined;
}

/**
 * One CSRF mechanism for the whole app (synchroniser token, secret in a signed cookie): forms embed
 * `<input type="hidden" name="_csrf">`, scripts send `x-csrf-token` (from `<meta name="csrf-token">`).
 * ONE global hook checks every POST, PUT, PATCH and DELETE unless the route opts out with
 * `config: { csrf: false }`; a request authenticated by a Bearer token carries no cookie authority
 * and is not checked either.
 */
export const csrfPlugin = fp<{ cookies: AuthCookies }>(
  async (app, { cookies }) => {
    await app.register(csrfProtection, {
      cookieKey: cookies.csrf.name,
      cookieOpts: cookies.csrf.options,
      getToken,
      logLevel: 'info',
    });

    // The plugin's generateCsrf, with the secret cut from the random pool: the CSPRNG call per
    // first visit cost more than making the token. Same token format as the plugin checks.
    const tokens = Tokens();
    app.decorateReply('formToken', function (this: FastifyReply) {
      let secret = this.unsignCookie(this.request.cookies[cookies.csrf.name] ?? '').value;
      if (!secret) {
        secret = pooledRandomBytes(18).toString('base64url');
        this.setCookie(cookies.csrf.name, secret, cookies.csrf.options);
      }
      return tokens.create(secret);
    });

    // The plugin answers a bad token itself; this asks it for a verdict and throws our own error.
    const verify = (request: FastifyRequest, reply: FastifyReply) =>
      new Promise<boolean>((resolve) => {
        const probe = Object.create(reply, { send: { value: () => (resolve(false), probe) } }) as FastifyReply;
        app.csrfProtection(request, probe, () => resolve(true));
      });

    app.addHook('preValidation', async (request, reply) => {
      if (!UNSAFE.has(request.method)) return;
      if (request.routeOptions.config?.csrf === false) return;
      if (request.auth?.method === 'bearer') return;
      if (!(await verify(request, reply))) throw new CsrfError();
    });
  },
  { name: 'csrf' },
);
