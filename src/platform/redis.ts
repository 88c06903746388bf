import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';

const LOG_EVERY_MS = 60_000;
const WAIT_AT_START_MS = 2_000;

/**
 * A Redis connection for shared counters. While it is down commands fail at once instead of
 * queueing (no offline queue; short timeouts), so an outage costs a request nothing, never a hang;
 * ioredis keeps reconnecting meanwhile. Connection errors are logged at most once a minute.
 */
export async function createRedis(url: string, log: FastifyBaseLogger): Promise<Redis> {
  // Loaded only when configured: a single instance has no use for a Redis client's memory.
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { connectTimeout: 500, commandTimeout: 500, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  let lastLogged = 0;
  redis.on('error', (err: Error) => {
    if (Date.now() - lastLogged < LOG_EVERY_MS) return;
    lastLogged = Date.now();
    log.warn({ err }, 'redis unavailable: rate limits are not enforced until it is back');
  });
  return redis;
}

/** Resolves once the connection is ready, or after timeoutMs whatever its state. */
function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    redis.once('ready', done);
  });
}

// One counter per key and window: the window starts with the first request (as the plugin's own store).
const COUNT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}`;

/**
 * Counters in Redis named `<nameSpace><METHOD><url>-<key>` for a route's limit and
 * `<nameSpace><key>` for a limiter made with createRateLimit (whose keys carry their own prefix).
 * The plugin's Redis store names the latter `undefinedundefined-<key>`.
 */
export function redisCounters(redis: Redis, nameSpace: string): FastifyRateLimitStoreCtor {
  class Counters implements FastifyRateLimitStore {
    constructor(private readonly prefix = nameSpace) {}
    incr(key: string, done: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number) {
      redis.eval(COUNT, 1, this.prefix + key, timeWindow).then(
        (result) => {
          const [current, ttl] = result as [number, number];
          done(null, { current, ttl });
        },
        (err: Error) => done(err),
      );
    }
    child(route: { method?: unknown; url?: unknown }) {
      const method = Array.isArray(route.method) ? route.method.join(',') : route.method;
      return new Counters(typeof method === 'string' && typeof route.url === 'string' ? `${nameSpace}${method}${route.url}-` : nameSpace);
    }
  }
  // The plugin constructs the store with its options: the namespace is all it needs.
  return class extends Counters {
    constructor() {
      super(nameSpace);
    }
  };
}

/**
 * Options for @fastify/rate-limit: per-route limits only (`config: { rateLimit }`). With a Redis URL
 * every instance counts in the same place, so a limit holds across all of them; without one each
 * instance counts in memory. If Redis fails, requests go through (skipOnError): a short outage of
 * the counters must not lock buyers out of login, key reveal or downloads.
 */
export async function rateLimitOptions(app: FastifyInstance, redisUrl: string | null) {
  if (!redisUrl) return { global: false };
  const redis = await createRedis(redisUrl, app.log);
  // Start counting from the first request if Redis is there; an instance never waits long for it.
  app.addHook('onReady', async () => {
    await whenReady(redis, WAIT_AT_START_MS);
  });
  app.addHook('onClose', async () => {
    if (redis.status === 'ready') await redis.quit().catch(() => undefined);
    redis.disconnect();
  });
  return { global: false, store: redisCounters(redis, 'store:rate-limit:'), skipOnError: true };
}
