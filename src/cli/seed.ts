import { generateLargeCatalog } from '../catalog/catalog.generate.js';
import { createSeedServices, DEMO_CATALOG_PATH, loadDemoCatalogFile } from '../catalog/catalog.seed.js';
import { ConfigError, loadConfig } from '../platform/config.js';
import { createDatabase } from '../platform/db/db.js';
import { migrateToLatest } from '../platform/db/migrate.js';
import { AppError } from '../platform/errors.js';

const usage = `Usage:
  npm run migrate                              bring the configured database to the latest schema
  npm run seed:demo [-- --file path.json]      load the demo catalog (${DEMO_CATALOG_PATH})
  npm run seed:large -- --count 100000 [--seed 1]   generate a large catalog for benchmarks`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function wholeNumber(raw: string | undefined, name: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > max) throw new AppError('invalid_option', `--${name} must be a whole number from 1 to ${max}.`);
  return n;
}

/** Database chores from the command line: migrate, load the demo catalog, generate a large catalog. */
async function main(argv: string[]) {
  const [command, ...args] = argv;
  if (!command || !['migrate', 'demo', 'large'].includes(command)) {
    console.error(usage);
    return 2;
  }
  const config = loadConfig();
  const db = createDatabase(config.databaseUrl, { poolSize: 2 });
  try {
    await migrateToLatest(db);
    console.log(`Database (${db.dialect}) is at the latest schema.`);
    if (command === 'demo') {
      const result = await loadDemoCatalogFile(createSeedServices(db, config), option(args, 'file') ?? DEMO_CATALOG_PATH);
      console.log(`Loaded the demo catalog: ${result.products} products in ${result.categories} categories, ${result.keys} keys.`);
    } else if (command === 'large') {
      const count = wholeNumber(option(args, 'count'), 'count', 10_000, 10_000_000);
      const seed = wholeNumber(option(args, 'seed'), 'seed', 1, 2 ** 31);
      const started = performance.now();
      const result = await generateLargeCatalog(createSeedServices(db, config), {
        count,
        seed,
        onProgress: (done, total) => process.stdout.write(`\r  ${done} / ${total} products`),
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`\nGenerated ${result.products} products and ${result.keys} keys in ${seconds} s.`);
    }
    return 0;
  } finally {
    await db.destroy();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof ConfigError || err instanceof AppError) {
    console.error(err.message);
    process.exitCode = 1;
  } else {
    throw err;
  }
}
