import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';
import type { Config } from './config.js';

/** Security headers on every response, error pages included; a CSP that allows no inline script. */
export const securityHeaders = fp<{ config: Config; formActionOrigins?: string[] }>(async (app, { config, formActionOrigins = [] }) => {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
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
});
