import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TooManyRequestsError } from '../platform/errors.js';

export interface LicenseRateLimits {
  /** requests per window from one client address */
  perClient: number;
  /** requests per window naming one key, from anywhere */
  perKey: number;
  windowMs: number;
}

type Verdict = Awaited<ReturnType<ReturnType<FastifyInstance['createRateLimit']>>>;

function refuseIfExceeded(verdict: Verdict, reply: FastifyReply, who: string) {
  if (verdict.isAllowed || !verdict.isExceeded) return;
  reply.header('retry-after', String(verdict.ttlInSeconds));
  throw new TooManyRequestsError(`Too many license requests ${who}. Try again in ${verdict.ttlInSeconds} seconds.`);
}

/**
 * Two limiters shared by the three license endpoints (one bucket each, not one per route): per
 * client address, then per key, keyed by the key's lookup hash so a key is never held in memory.
 * Runs before validation, so malformed requests count against their client too. The counters live
 * where the store's other limits do: in memory, or in Redis (shared by all instances) with REDIS_URL.
 */
export function licenseRateLimit(app: FastifyInstance, limits: LicenseRateLimits, keyHash: (rawKey: string) => string) {
  // Limiters made with createRateLimit share one namespace in Redis: each key names its limiter
  // (`store:rate-limit:license-client:<address>`, `store:rate-limit:license-key:<hash>`).
  const byClient = app.createRateLimit({
    max: limits.perClient,
    timeWindow: limits.windowMs,
    keyGenerator: (request) => `license-client:${request.ip}`,
  });
  const keyOf = (request: FastifyRequest) => (request.body as { license_key?: unknown } | undefined)?.license_key;
  const byKey = app.createRateLimit({
    max: limits.perKey,
    timeWindow: limits.windowMs,
    keyGenerator: (request) => `license-key:${keyHash(String(keyOf(request)))}`,
  });
  return async (request: FastifyRequest, reply: FastifyReply) => {
    refuseIfExceeded(await byClient(request), reply, 'from this client');
    const key = keyOf(request);
    // Anything else is refused by validation right after; it cannot name a real key.
    if (typeof key === 'string' && key.length <= 1024) refuseIfExceeded(await byKey(request), reply, 'for this license key');
  };
}
