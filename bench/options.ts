/** The bench's command line (`npm run bench -- --help`), checked before anything starts. */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

export const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    db: { type: 'string', default: 'sqlite,postgres' },
    count: { type: 'string', default: '100000' },
    duration: { type: 'string' },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    'log-level': { type: 'string', default: 'info' },
    'no-write': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    /** only these page scenarios (comma-separated names), e.g. product,search */
    scenarios: { type: 'string' },
    'no-purchases': { type: 'boolean', default: false },
    /** V8/Node flags for the store process, e.g. --node-flags=--max-semi-space-size=4 */
    'node-flags': { type: 'string', default: '' },
    /** run the store with --cpu-prof; the profiles are kept in the working directory */
    profile: { type: 'boolean', default: false },
    /** only the purchase load: no page scenarios */
    'purchases-only': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(`npm run bench -- [options]   (docs/PERFORMANCE.md)
  --quick                 short runs (fewer buyers, shorter loads)
  --db sqlite,postgres    which databases
  --postgres <url>        PostgreSQL database to create a throwaway schema in (default ${'postgres://postgres@127.0.0.1:5432/postgres'})
  --count <n>             products to generate (default 100000)
  --duration <s>          seconds per page figure
  --scenarios a,b         only these page scenarios (each has Zipf and uniform variants): product, category, home, search, cart
  --no-purchases          pages only
  --purchases-only        the purchase load only (statements per purchase and purchases/s)
  --node-flags=<flags>    V8/Node flags for the store process
  --profile               CPU profiles of the store
  --log-level <level>     the store's LOG_LEVEL (default info)
  --no-build, --no-write  skip the build; print the table without writing docs/PERFORMANCE.md`);
  process.exit(0);
}
export const quick = args.quick;
export const settings = {
  count: Number(args.count),
  durationSec: Number(args.duration ?? (quick ? 5 : 10)),
  rounds: quick ? 1 : 2,
  // The store's caches (pages, cards, product details, shown stock) reach their steady state within
  // a few seconds of a load; the bare baseline has none to fill.
  warmupSec: 5,
  baselineWarmupSec: 2,
  connections: 50,
  cartUsers: quick ? 8 : 20,
  buyers: quick ? 24 : 64,
  purchaseSec: quick ? 8 : 20,
};
export const dialects = args.db
  .split(',')
  .map((d) => d.trim())
  .filter((d): d is 'sqlite' | 'postgres' => d === 'sqlite' || d === 'postgres');
if (!Number.isInteger(settings.count) || settings.count < 100 || settings.count > 1_000_000)
  throw new Error('--count must be 100 to 1000000');
if (!(settings.durationSec >= 1 && settings.durationSec <= 120)) throw new Error('--duration must be 1 to 120 seconds');
if (dialects.length === 0) throw new Error('--db must name sqlite and/or postgres');

export const nodeFlags = args['node-flags'].split(' ').filter(Boolean);

/**
 * A database for one dialect: a file in the temp directory, or a new schema in the PostgreSQL database
 * `--postgres` names (a user may have only the one database), dropped afterwards. The store, the seed
 * and the bench's own checks reach it through the URL's `options=-c search_path=…`.
 */
export async function benchDatabase(dialect: 'sqlite' | 'postgres', dir: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (dialect === 'sqlite') return { url: `sqlite:${join(dir, 'bench.db')}`, drop: async () => undefined };
  const schema = `store_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: args.postgres });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create schema ${schema}`);
  const url = new URL(args.postgres);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => admin(`drop schema if exists ${schema} cascade`) };
}
