import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/platform/config.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { testDialects } from '../support/database.js';
import { testEnv } from '../support/env.js';
import { runStore, tempFile } from '../cli/cli-harness.js';

const catalogFile = (url: string, sku = 'HOSTED-1') =>
  tempFile(
    'catalog.json',
    JSON.stringify([{ sku, name: 'Hosted art', price: 900, currency: 'EUR', type: 'key', images: [{ url, alt: 'Hosted picture' }] }]),
  );

/** External image URLs: shown only from IMAGE_HOSTS (which the CSP's img-src then allows), refused at import otherwise. */
describe.each(testDialects)('image hosts on %s', (dialect) => {
  let t: TestApp;
  const env = { IMAGE_HOSTS: 'images.example.com, CDN.Example.org' };
  const store = (...argv: string[]) => runStore(argv, { db: t.db, env });

  beforeAll(async () => {
    t = await createTestApp(dialect, env);
  });
  afterAll(() => t?.close());

  it("lists every allowed host, over https, in the CSP's img-src", async () => {
    const csp = String((await t.app.inject('/')).headers['content-security-policy']);
    expect(csp).toContain("img-src 'self' data: https://images.example.com https://cdn.example.org;");
  });

  it('imports a product whose image is on an allowed host, and its page shows it', async () => {
    const r = await store('products', 'import', catalogFile('https://images.example.com/art/1.png'));
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const page = await t.app.inject('/HOSTED-1');
    expect(page.body).toContain('src="https://images.example.com/art/1.png"');
  });

  it('refuses a product whose image is on another host, naming the host and IMAGE_HOSTS; nothing imported', async () => {
    const r = await store('products', 'import', catalogFile('https://elsewhere.example.net/a.png', 'HOSTED-2'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'products[0] (SKU HOSTED-2): image https://elsewhere.example.net/a.png is on elsewhere.example.net, which is not in IMAGE_HOSTS (it allows images.example.com, cdn.example.org): add elsewhere.example.net to IMAGE_HOSTS so the shop may show it, or upload the image in /admin.',
    );
    expect((await t.app.inject('/HOSTED-2')).statusCode).toBe(404);
  });

  it('refuses every external image when IMAGE_HOSTS is empty; site paths (the demo art) always import', async () => {
    const none = await runStore(['products', 'import', catalogFile('https://images.example.com/a.png', 'HOSTED-3')], { db: t.db });
    expect(none.stderr).toContain('which is not in IMAGE_HOSTS (it is empty)');
    const local = await runStore(['products', 'import', catalogFile('/assets/demo/batchname-1.svg', 'HOSTED-4')], { db: t.db });
    expect(local).toMatchObject({ code: 0, stderr: '' });
  });

  it('imports the demo catalog as it is (its images are the store’s own /assets/demo art)', async () => {
    const r = await runStore(['products', 'import', 'demo/catalog.json'], { db: t.db });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/products created/);
  });
});

describe('IMAGE_HOSTS and IMAGE_MAX_BYTES configuration', () => {
  const problems = (env: Record<string, string>) => {
    try {
      parseConfig(testEnv(env));
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };

  it('takes host names only, and a byte limit from 1 kB to 100 MB (10 MB by default)', () => {
    expect(parseConfig(testEnv()).images).toEqual({ maxBytes: 10 * 1024 * 1024, hosts: [] });
    for (const bad of ['https://images.example.com', 'images.example.com/path', 'images.example.com:8443', 'localhost', '*.example.com'])
      expect(problems({ IMAGE_HOSTS: bad }), bad).toEqual([
        'IMAGE_HOSTS: must be comma-separated host names such as cdn.example.com (no scheme, path or port)',
      ]);
    expect(problems({ IMAGE_MAX_BYTES: '100' })).toEqual([expect.stringMatching(/^IMAGE_MAX_BYTES: /)]);
    expect(parseConfig(testEnv({ IMAGE_MAX_BYTES: '2000000' })).images.maxBytes).toBe(2_000_000);
  });
});
