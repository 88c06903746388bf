/**
 * Rate-limit counters in a real Redis (TEST_REDIS_URL, else 127.0.0.1:6379) reached through a TCP
 * proxy the test cuts and restores: counters are named for what they count, and while Redis is gone
 * requests go through unlimited (as the README says), nothing crashes, and counting resumes after.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/platform/crypto.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { testConfig } from '../support/env.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

const redisUrl = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const LIMIT = 3;

describe('rate limits in Redis', () => {
  let proxy: TcpProxy;
  let t: TestApp;
  let redis: Redis;
  const crashes: unknown[] = [];
  const recordCrash = (err: unknown) => crashes.push(err);

  beforeAll(async () => {
    redis = new Redis(redisUrl.href, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000 });
    await redis.connect().catch((err: Error) => {
      throw new Error(`These tests need Redis at ${redisUrl.href} (set TEST_REDIS_URL): ${err.message}`);
    });
    process.on('unhandledRejection', recordCrash);
    process.on('uncaughtException', recordCrash);
    proxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    t = await createTestApp('sqlite', { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, LICENSE_API_RATE_LIMIT: String(LIMIT) });
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    redis?.disconnect();
    process.off('unhandledRejection', recordCrash);
    process.off('uncaughtException', recordCrash);
  });

  const clientIp = () => `10.77.${randomBytes(1)[0]}.${(randomBytes(1)[0]! % 250) + 1}`;
  const validate = (ip: string, key = `UNKNOWN-${randomBytes(6).toString('hex')}`) =>
    t.app.inject({ method: 'POST', url: '/api/licenses/validate', remoteAddress: ip, payload: { license_key: key } });

  it('names the license API counters by client address and by key hash', async () => {
    const ip = clientIp();
    const key = `KEY-${randomBytes(8).toString('hex').toUpperCase()}`;
    for (let i = 0; i < 2; i++) expect((await validate(ip, key)).statusCode).toBe(404);
    const config = testConfig();
    const hash = createSecretBox(config.encryptionKey, config.previousEncryptionKeys).hash(key);
    expect(await redis.get(`store:rate-limit:license-client:${ip}`)).toBe('2');
    expect(await redis.get(`store:rate-limit:license-key:${hash}`)).toBe('2');
    expect(await redis.pttl(`store:rate-limit:license-key:${hash}`)).toBeGreaterThan(50_000);
    expect(await redis.keys(`store:rate-limit:*${ip}*`)).toEqual([`store:rate-limit:license-client:${ip}`]);
    expect(await redis.keys(`store:rate-limit:*${hash}*`)).toEqual([`store:rate-limit:license-key:${hash}`]);
  });

  it('lets requests through while Redis is unreachable, and limits again once it is back', async () => {
    const before = clientIp();
    const statuses = [];
    for (let i = 0; i <= LIMIT; i++) statuses.push((await validate(before)).statusCode);
    expect(statuses).toEqual([404, 404, 404, 429]);

    proxy.cut();
    const during = clientIp();
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 4 * LIMIT }, () => validate(during)));
    // Fail open: every request is answered (unknown key), none refused as limited, none held.
    expect(answers.map((r) => r.statusCode)).toEqual(Array(4 * LIMIT).fill(404));
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    proxy.restore();
    // The client reconnects on its own (backing off up to 2 s between attempts).
    const after = clientIp();
    const deadline = Date.now() + 10_000;
    while ((await redis.get(`store:rate-limit:license-client:${after}`)) === null) {
      if (Date.now() > deadline) throw new Error('the store did not count in Redis again within 10 s');
      await validate(after);
      await new Promise((r) => setTimeout(r, 200));
    }
    const counted = Number(await redis.get(`store:rate-limit:license-client:${after}`));
    const more = [];
    for (let i = counted; i <= LIMIT; i++) more.push((await validate(after)).statusCode);
    expect(more.at(-1)).toBe(429);
    expect(crashes).toEqual([]);
  });
});
