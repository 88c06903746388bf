import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestIdp, type TestIdp } from './auth.js';
import { launchBrowser, startStore, watchPageProblems, type RunningStore, type StoreOptions } from './browser.js';
import { gatewayEnv, startTestGateway, type DevGateway } from './gateway.js';

export interface BuyingShop {
  idp: TestIdp;
  gateway: DevGateway;
  store: RunningStore;
  browser: Browser;
  close(): Promise<void>;
}

/** The store on a free port with its identity provider, gateway (webhooks pointed at it) and Chromium, for buying in a browser. */
export async function startBuyingShop(env: Record<string, string> = {}): Promise<BuyingShop> {
  const [idp, gateway, browser] = await Promise.all([startTestIdp(), startTestGateway(), launchBrowser()]);
  const store = await startStore({ env: { ...idp.env, ...gatewayEnv(gateway), ...env } });
  idp.idp.setStoreUrl(store.url);
  gateway.setWebhookUrl(`${store.url}/api/payment-callback`);
  return {
    idp,
    gateway,
    store,
    browser,
    close: async () => {
      await browser.close();
      await store.close();
      await gateway.close();
      await idp.close();
    },
  };
}

export interface BrowsingStore {
  idp: TestIdp;
  store: RunningStore;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** what went wrong on the page so far (watchPageProblems) */
  problems: string[];
  close(): Promise<void>;
}

/** The store on a free port with its identity provider, and one Chromium page at 1280 × 900 watched for problems, for owner and buyer pages without a gateway. */
export async function startBrowsingStore(options: StoreOptions = {}): Promise<BrowsingStore> {
  const [idp, browser] = await Promise.all([startTestIdp(), launchBrowser()]);
  const store = await startStore({ ...options, env: { ...idp.env, ...options.env } });
  idp.idp.setStoreUrl(store.url);
  // The CSP is bypassed only so that axe-core can be injected.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  return {
    idp,
    store,
    browser,
    context,
    page,
    problems: watchPageProblems(page),
    close: async () => {
      await context.close();
      await browser.close();
      await store.close();
      await idp.close();
    },
  };
}
