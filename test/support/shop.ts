import type { Browser } from 'playwright-core';
import { startTestIdp, type TestIdp } from './auth.js';
import { launchBrowser, startStore, type RunningStore } from './browser.js';
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
