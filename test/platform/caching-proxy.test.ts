import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createCaches } from '../../src/caches.js';
import { loginAs, startTestIdp, type TestIdp } from '../support/auth.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { testConfig } from '../support/env.js';
import { catalogFixtures, makeCategory, makeProduct, shareCachesWithFixtures, type CatalogFixtures } from '../support/factories.js';

// Debian's nginx (.ci/run installs it); a developer without it skips this file, CI never does.
const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => spawnSync(path, ['-v']).status === 0);
/** The catalog's cache time in this test: what a proxy may serve a shared page for (s-maxage). */
const CACHE_SECONDS = 3;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The README's proxy_cache setup ("A cache in front"), with every path in a temporary directory. */
function nginxConfig(dir: string, port: number, storePort: number): string {
  return `daemon off;
master_process off;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 64; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  proxy_cache_path ${dir}/cache keys_zone=store:10m max_size=100m inactive=10m;
  # A visitor the store knows (session, login or cart cookie) always goes to the store.
  map $http_cookie $store_visitor {
    default 0;
    "~(^|;\\s*)(__Host-)?(sid|login|renew|cart)=" 1;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://127.0.0.1:${storePort};
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_cache store;
      proxy_cache_bypass $store_visitor;
      proxy_no_cache $store_visitor;
      proxy_cache_revalidate on;
      proxy_cache_lock on;
      proxy_cache_background_update on;
      proxy_cache_use_stale updating error timeout http_502 http_503;
      add_header X-Cache-Status $upstream_cache_status always;
    }
  }
}
`;
}

describe.skipIf(!nginx && process.env.CI !== 'true').each(testDialects)('behind an nginx proxy_cache on %s', (dialect) => {
  let idp: TestIdp;
  let db: TestDatabase;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let f: CatalogFixtures;
  let proxy: ChildProcess;
  let proxyUrl: string;
  let dir: string;
  /** Requests that reached the store, by URL. */
  const reached = new Map<string, number>();

  beforeAll(async () => {
    if (!nginx) throw new Error('nginx is not installed (apt-get install nginx-light)');
    idp = await startTestIdp();
    db = await createTestDatabase(dialect);
    const caches = createCaches({ catalogTtlMs: CACHE_SECONDS * 1000 });
    shareCachesWithFixtures(db, caches);
    app = await buildApp({ config: testConfig(idp.env), db, caches });
    app.addHook('onRequest', async (request) => void reached.set(request.url, (reached.get(request.url) ?? 0) + 1));
    await app.listen({ host: '127.0.0.1', port: 0 });
    f = catalogFixtures(db);
    await makeCategory(f.catalog, { slug: 'proxy-shelf', name: 'Proxy shelf' });
    await makeProduct(f.catalog, { sku: 'PROXIED-1', name: 'Proxied tool', price: 1900, categories: ['proxy-shelf'] });

    dir = mkdtempSync(join(tmpdir(), 'store-nginx-'));
    const port = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, port, (app.server.address() as { port: number }).port));
    proxy = spawn(nginx, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
    proxyUrl = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const up = await fetch(`${proxyUrl}/healthz`).then(
        () => true,
        () => false,
      );
      if (up) break;
      if (i > 100) throw new Error(`nginx did not start: ${readFileSync(join(dir, 'error.log'), 'utf8')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  afterAll(async () => {
    proxy?.kill('SIGTERM');
    await app?.close();
    await db?.drop();
    await idp?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(proxyUrl + path, { headers }).then(async (res) => ({ res, body: await res.text() }));

  it("serves an anonymous product page from the proxy's cache without reaching the store", async () => {
    const first = await get('/PROXIED-1');
    expect(first.res.status).toBe(200);
    expect(first.res.headers.get('cache-control')).toBe(
      `public, max-age=0, s-maxage=${CACHE_SECONDS}, stale-while-revalidate=${CACHE_SECONDS}`,
    );
    const before = reached.get('/PROXIED-1') ?? 0;
    for (let i = 0; i < 5; i++) {
      const again = await get('/PROXIED-1');
      expect(again.res.headers.get('x-cache-status')).toBe('HIT');
      expect(again.body).toBe(first.body);
    }
    expect(reached.get('/PROXIED-1')).toBe(before);
    // The proxy answers a browser's revalidation itself.
    const revalidated = await fetch(`${proxyUrl}/PROXIED-1`, { headers: { 'if-none-match': first.res.headers.get('etag')! } });
    expect(revalidated.status).toBe(304);
    expect(reached.get('/PROXIED-1')).toBe(before);
  });

  it('never serves a shared page to a logged-in visitor, nor keeps theirs for others', async () => {
    await get('/');
    expect((await get('/')).res.headers.get('x-cache-status')).toBe('HIT');
    const login = await loginAs(app, 'demo');
    const before = reached.get('/') ?? 0;
    for (let i = 0; i < 2; i++) {
      const mine = await get('/', { cookie: login.cookie });
      expect(mine.res.headers.get('x-cache-status')).not.toBe('HIT');
      expect(mine.res.headers.get('cache-control')).toBe('private, no-store');
      expect(mine.body).toContain(login.user.name);
    }
    expect(reached.get('/')).toBe(before + 2);
    const anonymous = await get('/');
    expect(anonymous.body).not.toContain(login.user.name);
  });

  it('shows a price change within the cache time', async () => {
    await get('/PROXIED-1');
    expect((await get('/PROXIED-1')).body).toContain('19.00');
    await f.catalog.updateProduct('PROXIED-1', { price: 2300 });
    const changed = Date.now();
    let body = '';
    while (Date.now() - changed < 2 * CACHE_SECONDS * 1000 + 1500 && !body.includes('23.00')) {
      await new Promise((r) => setTimeout(r, 200));
      ({ body } = await get('/PROXIED-1'));
    }
    expect(body).toContain('23.00');
    expect(body).not.toContain('19.00');
  });
});
