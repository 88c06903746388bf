import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { loadDemoCatalogOnFirstStart } from './catalog/catalog.seed.js';
import type { Config } from './platform/config.js';
import { createDatabase } from './platform/db/db.js';
import { migrateToLatest } from './platform/db/migrate.js';
import { createMailService } from './platform/mail/mail.service.js';

/**
 * How long an instance keeps a session it read instead of reading it on every request: any change
 * (logout, refresh) reaches every instance at once (PostgreSQL NOTIFY), so this only bounds memory.
 */
const SESSION_CACHE_MS = 10_000;

export interface StartOptions {
  /** Runs on shutdown after the store has closed, before the database does (the development services). */
  onClose?: () => Promise<unknown>;
}

/**
 * Starts the store on a validated configuration: migrates, loads the demo catalog when asked (before
 * listening, so the store is ready only once it can serve what it lists), runs the mail worker, the
 * order sweeper, the payment reconciler and the download transfer pruner, listens, and shuts all of it
 * down gracefully on a signal.
 */
export async function startStore(config: Config, options: StartOptions = {}) {
  const db = createDatabase(config.databaseUrl, { poolSize: config.databasePoolSize });
  await migrateToLatest(db);
  if (config.demo) {
    const demo = await loadDemoCatalogOnFirstStart(db, config);
    if (demo)
      console.log(
        demo.loaded
          ? `  Loaded the demo catalog: ${demo.products} products, ${demo.keys} demo keys.`
          : `  Demo catalog not loaded: ${demo.reason}.`,
      );
  }
  const mail = createMailService({ db, smtpUrl: config.smtpUrl, from: config.mailFrom });
  const app = await buildApp({ config, db, mail, sessionCacheMs: SESSION_CACHE_MS });
  const mailWorker = mail.startWorker(config.mailPollIntervalMs, (err) => app.log.error({ err }, 'mail worker pass failed'));
  // Pending orders past their reservation give their keys back; safe on several instances at once
  // (each expiry is a conditional state change).
  const sweeper = setInterval(() => {
    app.jobs.expireStaleOrders().catch((err) => app.log.error({ err }, 'order sweeper failed'));
  }, 60_000);
  // Payments whose webhooks never arrived are found by walking the gateway's recent sessions; as
  // safe on several instances (each settlement is the webhook's own conditional change).
  const reconciler = setInterval(() => {
    app.jobs.reconcilePayments().catch((err) => app.log.error({ err }, 'payment reconciliation failed'));
  }, 10 * 60_000);
  // Transfers of links that can no longer be used are deleted; as safe on several instances (a row goes once).
  const pruner = setInterval(() => {
    app.jobs.pruneDownloadTransfers().catch((err) => app.log.error({ err }, 'download transfer pruning failed'));
  }, 60 * 60_000);

  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    clearInterval(sweeper);
    clearInterval(reconciler);
    clearInterval(pruner);
    await mailWorker.stop();
    await app.close();
    await options.onClose?.();
    await db.destroy();
  });

  await app.listen({ host: config.host, port: config.port });
  return app;
}
