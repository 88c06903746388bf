import { catalogRoutes } from './catalog/catalog.routes.js';
import { createCatalogService } from './catalog/catalog.service.js';
import { fulfilmentRoutes } from './fulfilment/fulfilment.routes.js';
import { createKeyPoolService } from './fulfilment/key-pool.service.js';
import { createKeySigner, loadSigningKey } from './fulfilment/signed-key.js';
import { contentRoutes } from './pages/content.routes.js';
import { createContentService } from './pages/content.service.js';
import { htmlErrorRenderer, pagesPlugin } from './pages/pages.plugin.js';
import { staticAssets } from './platform/assets.js';
import type { Config } from './platform/config.js';
import type { Database } from './platform/db/db.js';
import { createSecretBox } from './platform/crypto.js';
import { createMailService, type MailService } from './platform/mail/mail.service.js';
import { installErrorHandlers } from './platform/error-handler.js';
import { healthRoutes } from './platform/health.routes.js';
import { renderPlugin } from './platform/render.js';
import { securityHeaders } from './platform/security.js';
import { createServer } from './platform/server.js';

export interface AppDeps {
  config: Config;
  db: Database;
  /** Current time in epoch ms; tests pass their own. */
  clock?: () => number;
  /** Outgoing mail; main.ts runs its worker. Built from config when not given. */
  mail?: MailService;
}

/** The whole store: platform plugins first, then each domain, in the order a reader expects. */
export async function buildApp({ config, db, clock = Date.now, mail = createMailService({ db, smtpUrl: config.smtpUrl, from: config.mailFrom, clock }) }: AppDeps) {
  const app = await createServer(config);
  // Before any plugin: an encapsulated plugin keeps the error handler it was registered under.
  installErrorHandlers(app, htmlErrorRenderer(config));

  // Platform
  await app.register(securityHeaders, { config });
  await app.register(renderPlugin);
  await app.register(staticAssets);
  await app.register(healthRoutes, { db });

  // Services
  const secrets = createSecretBox(config.encryptionKey, config.previousEncryptionKeys);
  const keyPool = createKeyPoolService({ db, secrets, clock });
  const signer = createKeySigner(loadSigningKey(config.licenseSigningKey));
  const catalog = createCatalogService({ db, keyPool, clock });
  const content = createContentService({ contentDir: config.contentDir });
  void mail;

  // Domains
  await app.register(pagesPlugin, { config, sources: { navCategories: () => catalog.listNavCategories() } });
  await app.register(contentRoutes, { content });
  await app.register(catalogRoutes, { catalog });
  await app.register(fulfilmentRoutes, { signer });
  return app;
}
