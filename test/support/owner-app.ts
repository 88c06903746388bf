import type { LightMyRequestResponse } from 'fastify';
import type { Dialect } from '../../src/platform/db/db.js';
import { createTestApp, type TestApp } from './app.js';
import { loginAs, SAME_ORIGIN_POST, startTestIdp, type LoggedIn, type TestIdp } from './auth.js';
import { catalogFixtures, type CatalogFixtures } from './factories.js';

export interface OwnerApp {
  t: TestApp;
  idp: TestIdp;
  fx: CatalogFixtures;
  owner: LoggedIn;
  /** a logged-in buyer, who is not the owner */
  buyer: LoggedIn;
  /** A form post as the browser sends it: same-origin by default, as the owner unless `user` says another (null: nobody). */
  post(
    url: string,
    fields?: Record<string, string>,
    user?: LoggedIn | null,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  /** A page as the owner sees it, or as `user` (null: nobody). */
  get(url: string, user?: LoggedIn | null): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** The store through app.inject with its identity provider, the owner and a buyer logged in, for owner page tests. */
export async function startOwnerApp(dialect: Dialect, env: Record<string, string> = {}): Promise<OwnerApp> {
  const idp = await startTestIdp();
  let t: TestApp;
  try {
    t = await createTestApp(dialect, { ...idp.env, ...env });
  } catch (err) {
    await idp.close();
    throw err;
  }
  const close = async () => {
    await t.close();
    await idp.close();
  };
  try {
    const [owner, buyer] = await Promise.all([loginAs(t.app, 'owner'), loginAs(t.app, 'new')]);
    return {
      t,
      idp,
      fx: catalogFixtures(t.db),
      owner,
      buyer,
      post: (url, fields = {}, user = owner, headers = SAME_ORIGIN_POST) =>
        t.app.inject({
          method: 'POST',
          url,
          payload: new URLSearchParams(fields).toString(),
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', ...(user ? { cookie: user.cookie } : {}) },
        }),
      get: (url, user = owner) => t.app.inject({ method: 'GET', url, headers: user ? { cookie: user.cookie } : {} }),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
