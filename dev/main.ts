import { ConfigError, parseConfig, readEnvironment, type Config } from '../src/platform/config.js';
import { createDatabase } from '../src/platform/db/db.js';
import { startStore } from '../src/start.js';
import { developmentEnvironment } from './config.js';
import { startDevServices } from './index.js';
import { DEMO_USERS } from './idp/idp.users.js';
import { followStoreRates } from './store-rates.js';

/**
 * `npm start`: the store with development values for whatever `.env` and the environment leave unset,
 * beside the bundled identity provider, payment gateway and mail sink those values point at.
 */
async function main() {
  const raw = readEnvironment();
  if (raw.NODE_ENV === 'production') {
    console.error('npm start runs the development store; in production run `npm run build` and then `npm run start:prod`.');
    process.exit(1);
  }
  const dev = developmentEnvironment(raw);
  let config: Config;
  try {
    if (dev.problems.length > 0) throw new ConfigError(dev.problems);
    config = parseConfig({ ...raw, ...dev.defaults });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }

  // The gateway plays Stripe Tax from the store's own rates table (read on a connection of its own).
  const ratesDb = createDatabase(config.databaseUrl, { poolSize: 1 });
  const rates = followStoreRates(ratesDb);
  const services = await startDevServices(dev.services, { taxRates: rates.taxRates }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE') throw err;
    console.error(`${err.message}: another program has that port; stop it or set DEV_SMTP_PORT, DEV_IDP_PORT or DEV_GATEWAY_PORT.`);
    process.exit(1);
  });
  await startStore(config, {
    onClose: async () => {
      rates.stop();
      await Promise.all([...services.map((s) => s.close()), ratesDb.destroy()]);
    },
  });
  await rates.refresh();
  console.log(`\n  ${config.shopName} is running at ${config.publicUrl}`);
  if (dev.services.idp) {
    const [demo, owner] = DEMO_USERS;
    console.log(`  Log in as ${demo.email} / ${demo.password} (shop owner: ${owner.email} / ${owner.password})`);
  }
  for (const s of services) console.log(`  ${s.name}: ${s.url}`);
  console.log('');
}

await main();
