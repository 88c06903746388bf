import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `false` on routes never authenticated by a cookie (the gateway's webhook, key- or
     * Bearer-authenticated APIs): their POST, PUT, PATCH and DELETE skip the cross-origin check.
     */
    csrf?: boolean;
  }
  interface FastifyRequest {
    /** Whether a browser says another site started this request (see isCrossOrigin); for GETs that change state. */
    isCrossOrigin(): boolean;
  }
}

/** A browser said this request was started by another site (a form, a link or a script there). */
export class CrossOriginRequestError extends AppError {
  constructor() {
    super(
      'cross_origin_request',
      'This request came from another site, so it was refused. Please go back to the store and try again.',
      403,
    );
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Whether the browser says another site started this request (Go 1.25's CrossOriginProtection rule):
 * `Sec-Fetch-Site` other than same-origin or none (a typed URL, a bookmark); without it (older
 * browsers, plain-http origins), an `Origin` other than the store's public one, `null` included.
 * A request with neither header is not from a browser, so nobody's cookie was sent on its behalf.
 */
export function isCrossOrigin(headers: FastifyRequest['headers'], publicOrigin: string): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  const origin = headers.origin;
  return origin !== undefined && origin !== publicOrigin;
}

/**
 * One check for the whole app, instead of tokens in pages: an unsafe request that a browser started
 * from another site is refused with 403 before its body is read, unless its route opted out. The
 * origin is the public URL's, so it holds behind a TLS-terminating proxy. `exempt` names requests
 * that carry no cookie authority (authenticated by a Bearer token).
 */
export const crossOriginProtection = fp<{ publicUrl: string; exempt?: (request: FastifyRequest) => boolean }>(
  async (app, { publicUrl, exempt }) => {
    const publicOrigin = new URL(publicUrl).origin;
    app.decorateRequest('isCrossOrigin', function (this: FastifyRequest) {
      return isCrossOrigin(this.headers, publicOrigin);
    });
    // preParsing: after every onRequest hook (the user is known), before the body is parsed.
    app.addHook('preParsing', (request, _reply, payload, done) => {
      const refused =
        UNSAFE.has(request.method) &&
        request.routeOptions.config?.csrf !== false &&
        isCrossOrigin(request.headers, publicOrigin) &&
        !exempt?.(request);
      done(refused ? new CrossOriginRequestError() : null, payload);
    });
  },
  { name: 'cross-origin' },
);
