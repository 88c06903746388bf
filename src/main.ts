import { ConfigError, loadConfig, type Config } from './platform/config.js';
import { startStore } from './start.js';

/** The production entry: the store alone, configured entirely by `.env` and the environment. */
async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    console.error(
      'Set each of these in the environment or in .env (README, "Configuration"). `npm start` runs the development store instead.',
    );
    process.exit(1);
  }
  await startStore(config);
  console.log(`\n  ${config.shopName} is running at ${config.publicUrl}\n`);
}

await main();
