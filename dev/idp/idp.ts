import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose';
import type Provider from 'oidc-provider';
import { createAccountApi } from './idp.account-api.js';
import { sendJson } from './idp.http.js';
import { createInteractionHandler } from './idp.interactions.js';
import { createProvider } from './idp.provider.js';
import { createUserStore, type UserStore } from './idp.users.js';
import { IDP_CSS, IDP_ICON } from './idp.views.js';

export interface DevIdpOptions {
  /** Port on 127.0.0.1; 0 picks a free one (tests). */
  port: number;
  host?: string;
  /** Defaults to http://127.0.0.1:<port>; the store's config must name the same issuer. */
  issuer?: string;
  /** The store's public URL: the redirect and post-logout URIs are registered under it. */
  storeUrl: string;
  clientId: string;
  clientSecret: string;
  audience: string;
  /** Access token lifetime in seconds (default 300, short so refreshes happen in a demo session). */
  accessTokenTtl?: number;
  /** Where users and keys persist (a JSON file under the git-ignored data/); in memory when absent. */
  dataFile?: string;
}

export interface DevIdp {
  name: string;
  issuer: string;
  url: string;
  users: UserStore;
  /** The current oidc-provider instance (replaced by setStoreUrl). */
  readonly provider: Provider;
  /**
   * Re-registers the store's redirect URIs under another URL (a browser test learns the store's port
   * after starting the IdP). Sessions and tokens issued so far are forgotten.
   */
  setStoreUrl(url: string): void;
  close(): Promise<void>;
}

async function loadKeys(users: UserStore): Promise<{ signingKeys: JWK[]; cookieKeys: string[] }> {
  const saved = users.extras as { signingKeys?: JWK[]; cookieKeys?: string[] };
  if (saved.signingKeys?.length && saved.cookieKeys?.length) return { signingKeys: saved.signingKeys, cookieKeys: saved.cookieKeys };
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };
  const keys = { signingKeys: [jwk], cookieKeys: [randomBytes(32).toString('base64url')] };
  users.saveExtras(keys);
  return keys;
}

const publicJwks = (keys: JWK[]): JSONWebKeySet => ({
  keys: keys.map(({ kty, n, e, crv, x, y, kid, alg, use }) => ({ kty, n, e, crv, x, y, kid, alg, use })),
});

/**
 * Starts the development OpenID Connect provider (oidc-provider) on its own port. It refuses to run
 * in production: it knows demo passwords and signs tokens with keys kept in a plain file.
 */
export async function startDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  // Read directly, not from the caller's config: a last line of defence whatever the caller passes.
  if (process.env.NODE_ENV === 'production') throw new Error('The development identity provider refuses to run with NODE_ENV=production.');
  const host = options.host ?? '127.0.0.1';
  const users = await createUserStore(options.dataFile);
  const { signingKeys, cookieKeys } = await loadKeys(users);

  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => sendJson(res, 503, { error: 'starting' });
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = options.issuer ?? `http://${host}:${port}`;
  const accountPath = `${new URL(issuer).pathname.replace(/\/+$/, '')}/account`;
  const accountApi = createAccountApi({ issuer, audience: options.audience, users, jwks: publicJwks(signingKeys) });

  let provider!: Provider;
  const mount = (storeUrl: string) => {
    provider = createProvider({
      issuer,
      storeUrl,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      audience: options.audience,
      accessTokenTtl: options.accessTokenTtl ?? 300,
      users,
      signingKeys: signingKeys,
      cookieKeys,
    });
    const oidc = provider.callback();
    const interactions = createInteractionHandler({ provider, users, storeUrl });
    handler = (req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      const done = (err?: unknown) => {
        if (!err) return;
        console.error('dev identity provider:', err);
        if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
        else res.destroy();
      };
      if (path === '/idp.css' || path === '/idp.svg' || path === '/favicon.ico') {
        const css = path === '/idp.css';
        res.writeHead(200, { 'content-type': css ? 'text/css; charset=utf-8' : 'image/svg+xml', 'cache-control': 'max-age=3600' });
        res.end(css ? IDP_CSS : IDP_ICON);
        return;
      }
      if (path === accountPath) return void accountApi(req, res).then(() => done(), done);
      interactions(req, res, path).then((handled) => {
        if (!handled) oidc(req, res);
      }, done);
    };
  };
  mount(options.storeUrl.replace(/\/+$/, ''));

  return {
    name: 'Identity provider (development)',
    issuer,
    url: issuer,
    users,
    get provider() {
      return provider;
    },
    setStoreUrl: (url) => mount(url.replace(/\/+$/, '')),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
