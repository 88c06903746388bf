/**
 * The production entry (src/main.ts, as `npm run start:prod` runs it) in a process of its own, its
 * PostgreSQL database reached through a TCP proxy: while PostgreSQL terminates the store's backends
 * under concurrent requests, and while the database is unreachable, the process stays up, answers
 * 503 database_unavailable, and serves again afterwards without a restart. The issue this guards
 * against: the pool's unheard 'error' event (57P01) ended the process, every instance at once.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUrl } from '../support/database.js';
import { productionEnv } from '../support/env.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

const root = resolve(import.meta.dirname, '../..');
const redisUrl = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });
}

describe.skipIf(!postgresUrl)('the production process through PostgreSQL outages', () => {
  const dbName = `store_process_${randomBytes(5).toString('hex')}`;
  let admin: pg.Client;
  let proxy: TcpProxy;
  let redisProxy: TcpProxy;
  let child: ChildProcessWithoutNullStreams;
  let output = '';
  let exited: number | string | null = null;
  let base: string;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    const server = new URL(postgresUrl!);
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    const storeUrl = new URL(postgresUrl!);
    storeUrl.host = `127.0.0.1:${proxy.port}`;
    storeUrl.pathname = `/${dbName}`;
    redisProxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = productionEnv({
      PUBLIC_URL: base,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: storeUrl.href,
      DATABASE_POOL_SIZE: '4',
      REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`,
      LICENSE_API_RATE_LIMIT: '100000',
    });
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } });
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    child.on('exit', (code, signal) => (exited = code ?? signal));
    const deadline = Date.now() + 60_000;
    while (!output.includes('is running at')) {
      if (exited !== null || Date.now() > deadline) throw new Error(`the store did not start:\n${output}`);
      await sleep(100);
    }
  }, 90_000);
  afterAll(async () => {
    if (child && exited === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    await proxy?.close();
    await redisProxy?.close();
    await admin?.query(`drop database if exists ${dbName} with (force)`);
    await admin?.end();
  });

  const requests = [
    () => fetch(`${base}/readyz`),
    () =>
      fetch(`${base}/api/licenses/validate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ license_key: `UNKNOWN-${randomBytes(6).toString('hex')}` }),
      }),
    () => fetch(`${base}/search?q=${randomBytes(4).toString('hex')}`),
  ];

  /** Requests from six concurrent clients until `stop` resolves: status, type and body of each (0: no answer). */
  async function traffic(stop: Promise<void>) {
    let running = true;
    void stop.then(() => (running = false));
    const answers: { status: number; type: string; body: string }[] = [];
    const client = async (n: number) => {
      for (let i = n; running; i++) {
        try {
          const res = await requests[i % requests.length]!();
          answers.push({ status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() });
        } catch (err) {
          answers.push({ status: 0, type: '', body: String(err) });
        }
      }
    };
    await Promise.all([0, 1, 2, 3, 4, 5].map(client));
    return answers;
  }

  async function expectServing() {
    expect((await requests[0]!()).status).toBe(200);
    expect((await requests[1]!()).status).toBe(404);
    expect((await requests[2]!()).status).toBe(200);
  }

  it('stays up while PostgreSQL terminates its backends under load, and serves at once after', async () => {
    await expectServing();
    let terminated = 0;
    const answers = await traffic(
      (async () => {
        for (let i = 0; i < 5; i++) {
          await sleep(300);
          const { rowCount } = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [dbName]);
          terminated += rowCount ?? 0;
        }
        await sleep(300);
      })(),
    );
    expect(terminated).toBeGreaterThan(0);
    expect(answers.length).toBeGreaterThan(20);
    expect(answers.filter((a) => ![200, 404, 503].includes(a.status)).map((a) => `${a.status} ${a.body.slice(0, 200)}`)).toEqual([]);
    await expectServing();
    expect(exited).toBeNull();
    expect(output).toContain('database connection lost');
    expect(output).not.toContain('shutting down');
  });

  it('answers 503 while the database is unreachable and serves again when it is back, without a restart', async () => {
    const answers = await traffic(
      (async () => {
        await sleep(300);
        proxy.cut();
        await sleep(2500);
        proxy.restore();
      })(),
    );
    expect(answers.filter((a) => ![200, 404, 503].includes(a.status)).map((a) => `${a.status} ${a.body.slice(0, 200)}`)).toEqual([]);
    const unavailable = answers.filter((a) => a.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    expect(unavailable.some((a) => a.type.startsWith('application/json') && a.body.includes('"database_unavailable"'))).toBe(true);
    expect(unavailable.some((a) => a.type.startsWith('text/html') && a.body.includes('cannot reach its database'))).toBe(true);
    expect(unavailable.every((a) => !/ECONN|terminat|stack|pg_/i.test(a.body))).toBe(true);
    const deadline = Date.now() + 5000;
    while ((await requests[0]!()).status !== 200) {
      if (Date.now() > deadline) throw new Error('not ready 5 s after the database came back');
      await sleep(100);
    }
    await expectServing();
    expect(exited).toBeNull();
  });

  it('stays up and limits nothing while Redis is unreachable, and reconnects when it is back', async () => {
    const connectionsBefore = redisProxy.accepted;
    expect(connectionsBefore).toBeGreaterThan(0);
    const answers = await traffic(
      (async () => {
        await sleep(300);
        redisProxy.cut();
        await sleep(2000);
        redisProxy.restore();
      })(),
    );
    // The license API is rate-limited through Redis: with Redis gone its requests still get their answer.
    expect(answers.filter((a) => ![200, 404].includes(a.status)).map((a) => `${a.status} ${a.body.slice(0, 200)}`)).toEqual([]);
    const deadline = Date.now() + 10_000;
    while (redisProxy.accepted === connectionsBefore) {
      if (Date.now() > deadline) throw new Error('the store did not reconnect to Redis within 10 s');
      await sleep(100);
    }
    await expectServing();
    expect(exited).toBeNull();
    expect(output).toContain('redis unavailable');
  });
});
