import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp } from '../../src/app.js';
import { createSeedServices, loadDemoCatalogFile, DEMO_CATALOG_PATH, type SeedServices } from '../../src/catalog/catalog.seed.js';
import type { Config } from '../../src/platform/config.js';
import { testConfig } from './env.js';
import { createDatabase, type Database } from '../../src/platform/db/db.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';

/** Where screenshots and other browser-test artefacts go (git-ignored). */
export const resultsDir = resolve(import.meta.dirname, '../../test-results');

/** The flags every browser test runs Chromium with: headless, nothing fetched from the internet. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Debian's Chromium through playwright-core; never a downloaded browser. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
}

export interface StoreOptions {
  /** Extra environment for `testConfig` (PUBLIC_URL, PORT and DATABASE_URL are set here). */
  env?: Record<string, string>;
  clock?: () => number;
  /**
   * What to put in the catalog: the demo catalog (default), nothing, or your own fixture
   * written through the catalog and key-pool services.
   */
  catalog?: 'demo' | 'empty' | ((services: SeedServices & { db: Database }) => Promise<void>);
}

export interface RunningStore {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  app: Awaited<ReturnType<typeof buildApp>>;
  db: Database;
  config: Config;
  close(): Promise<void>;
}

/** A free port on 127.0.0.1, chosen by the operating system. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

/**
 * The real store listening on 127.0.0.1 over a fresh SQLite file in a temp directory, with the
 * demo catalog loaded unless told otherwise. The port is picked by the OS before the app is built
 * so that PUBLIC_URL (redirect URIs, absolute links) names the address the browser really uses.
 */
export async function startStore(options: StoreOptions = {}): Promise<RunningStore> {
  const dir = mkdtempSync(join(tmpdir(), 'store-browser-'));
  const db = createDatabase(`sqlite:${join(dir, 'store.db')}`);
  try {
    await migrateToLatest(db);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const config = testConfig({ DATABASE_URL: `sqlite:${join(dir, 'store.db')}`, PORT: String(port), PUBLIC_URL: url, ...options.env });
      if (attempt === 1) await fillCatalog(db, config, options);
      const app = await buildApp({ config, db, clock: options.clock });
      try {
        await app.listen({ host: '127.0.0.1', port });
      } catch (err) {
        await app.close();
        // Another process took the port between the probe and listen: try a new one.
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 5) continue;
        throw err;
      }
      return {
        url,
        app,
        db,
        config,
        close: async () => {
          await app.close();
          await db.destroy();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
  } catch (err) {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function fillCatalog(db: Database, config: Config, options: StoreOptions) {
  const catalog = options.catalog ?? 'demo';
  if (catalog === 'empty') return;
  const services = createSeedServices(db, config, options.clock);
  if (catalog === 'demo') await loadDemoCatalogFile(services, DEMO_CATALOG_PATH, options.clock);
  else await catalog({ ...services, db });
}

/** Saves a full-page PNG as test-results/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(resultsDir, { recursive: true });
  const path = join(resultsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Collects what would make a page broken for a user: uncaught script errors, console errors
 * (Chromium reports CSP violations there) and failed requests. Call before navigating.
 */
export function watchPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`script error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('requestfailed', (req) => {
    const reason = req.failure()?.errorText ?? 'unknown';
    // Leaving a page cancels its pending (lazy) image loads; that is not a failure.
    if (reason !== 'net::ERR_ABORTED') problems.push(`request failed: ${req.url()} (${reason})`);
  });
  return problems;
}

export interface ForeignSite {
  /** `http://localhost:<port>`: another site than the store's 127.0.0.1 (Sec-Fetch-Site: cross-site). */
  crossSite: string;
  /** `http://127.0.0.1:<port>`: the store's host on another port, another origin of the same site. */
  sameSite: string;
  close(): Promise<void>;
}

/** Another site on 127.0.0.1 serving the given HTML pages by path (no CSP: its inline scripts run). */
export async function startForeignSite(pages: Record<string, string>): Promise<ForeignSite> {
  const server = createHttpServer((req, res) => {
    const html = pages[req.url ?? ''];
    // The browser asks for a favicon: answered empty, so it logs no error.
    if (html === undefined) return void res.writeHead(req.url === '/favicon.ico' ? 204 : 404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return {
    crossSite: `http://localhost:${port}`,
    sameSite: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** Logs in through the store's login page (the IdP's form) as a person would, and waits to be back at `returnTo`. */
export async function logIn(page: Page, storeUrl: string, email: string, password: string, returnTo: string): Promise<void> {
  await page.goto(`${storeUrl}/login?returnTo=${encodeURIComponent(returnTo)}`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(`${storeUrl}${returnTo}`), page.click('button[type=submit]')]);
}
