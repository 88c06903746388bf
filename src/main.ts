import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { loadDemoCatalogOnFirstStart } from './catalog/catalog.seed.js';
import { ConfigError, loadConfig, type Config } from './platform/config.js';
import { createDatabase } from './platform/db/db.js';
import { migrateToLatest } from './platform/db/migrate.js';
import { createMailService } from './platform/mail/mail.service.js';

/** Starts the store: validates configuration, migrates, loads the demo catalog when asked, listens. */
async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }

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
  // Loaded only outside production: the development services' modules (oidc-provider, an SMTP
  // server, mail parsing) would otherwise cost a production instance some 50 MB of memory.
  const devServices = config.production ? [] : await (await import('../dev/index.js')).startDevServices(config);
  const mail = createMailService({ db, smtpUrl: config.smtpUrl, from: config.mailFrom });
  const app = await buildApp({ config, db, mail });
  const mailWorker = mail.startWorker(config.mailPollIntervalMs, (err) => app.log.error({ err }, 'mail worker pass failed'));
  // Pending orders past their reservation give their keys back; safe on several instances at once
  // (each expiry is a conditional state change).
  const sweeper = setInterval(() => {
    app.jobs.expireStaleOrders().catch((err) => app.log.error({ err }, 'order sweeper failed'));
  }, 60_000);

  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    clearInterval(sweeper);
    await mailWorker.stop();
    await app.close();
    await Promise.all(devServices.map((s) => s.close()));
    await db.destroy();
  });

  await app.listen({ host: config.host, port: config.port });
  console.log(`\n  ${config.shopName} is running at ${config.publicUrl}`);
  if (config.oidc.devIdp) {
    const [demo, owner] = (await import('../dev/idp/idp.users.js')).DEMO_USERS;
    console.log(`  Log in as ${demo.email} / ${demo.password} (shop owner: ${owner.email} / ${owner.password})`);
  }
  for (const s of devServices) console.log(`  ${s.name}: ${s.url}`);
  console.log('');
}

await main();
