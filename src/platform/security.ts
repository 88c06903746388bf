import type { IncomingMessage, ServerResponse } from 'node:http';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';
import type { Config } from './config.js';

/**
 * The headers helmet sets for these options. They depend on nothing in the request (no nonces, no
 * functions), so they are worked out once at start: building helmet's middleware for every
 * response, as @fastify/helmet does, cost about a tenth of a catalog page's CPU time.
 */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: () => undefined,
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw new Error('helmet could not build the security headers', { cause: err });
  });
  return headers;
}

/** Security headers on every response, error pages included; a CSP that allows no inline script. */
export const securityHeaders = fp<{ config: Config; formActionOrigins?: string[] }>(async (app, { config, formActionOrigins = [] }) => {
  const headers = helmetHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // Uploaded images are served by the store (/media/); external ones only from IMAGE_HOSTS, over https.
        imgSrc: ["'self'", 'data:', ...config.images.hosts.map((host) => `https://${host}`)],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        // Chrome applies form-action to the redirect after a POST too, so the gateway and the
        // identity provider (added by their issues) must be listed.
        formAction: ["'self'", ...formActionOrigins],
        ...(config.production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: config.production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
});
