/**
 * `npm run bench [-- --quick] [--db sqlite,postgres] [--count 100000] [--duration 10] [--postgres URL] [--no-write]`
 *
 * Seeds a generated catalog, starts the compiled store in production mode, loads it with autocannon
 * from another process over loopback, side by side with a bare Fastify baseline, then runs the full
 * purchase with many buyers at once, and writes the table to docs/PERFORMANCE.md. Every loop is
 * bounded in count and time; only 127.0.0.1 is ever targeted. See docs/PERFORMANCE.md.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createDatabase } from '../src/platform/db/db.js';
import { createBenchRepo } from './bench.repo.js';
import type { LoadJob, LoadResult } from './load.js';
import { firstLine, runChild, rssOf, startChild, watchRss } from './proc.js';
import type { PurchaseJob, PurchaseResult } from './purchase.js';
import { describeMachine, renderReport, writeReport, type PageFigures, type PurchaseFigures, type Report } from './report.js';
import { productionCommand, scrapeMetrics, startStack, type Stack } from './stack.js';
import { buildScenarios, purchaseSkus, registerBuyers, type Scenario } from './targets.js';
import { makeCertificate } from './tls.js';
import { args, benchDatabase, dialects, nodeFlags, quick, settings } from './options.js';

const root = resolve(import.meta.dirname, '..');
const say = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
const tsx = (script: string) => [process.execPath, ['--import', 'tsx', script]] as const;

function runLoad(job: LoadJob): Promise<LoadResult> {
  const [node, argv] = tsx('bench/load.ts');
  return runChild(node, [...argv], { cwd: root, input: JSON.stringify(job), timeoutMs: (job.durationSec + 60) * 1000 }).then(
    (out) => JSON.parse(out) as LoadResult,
  );
}

const failuresOf = (r: LoadResult) =>
  r.errors +
  r.timeouts +
  Object.entries(r.statuses)
    .filter(([code]) => !code.startsWith('2'))
    .reduce((n, [, c]) => n + c, 0);

/** Mean body size of a scenario's answers, so the baseline answers pages of the same size. */
async function meanBytes(origin: string, s: Scenario): Promise<number> {
  let total = 0;
  const n = Math.min(20, s.paths.length * 4);
  for (let i = 0; i < n; i++) {
    const res = await fetch(origin + s.paths[i % s.paths.length], {
      headers: s.cookies ? { cookie: s.cookies[i % s.cookies.length]! } : {},
    });
    total += (await res.arrayBuffer()).byteLength;
  }
  return total / n;
}

/** Baseline and store back to back (alternating order over the rounds), under the same load. */
async function measure(stack: Stack, baselineOrigin: string, dialect: string, s: Scenario): Promise<PageFigures> {
  const bytes = await meanBytes(stack.storeUrl, s);
  const storeJob = (durationSec: number): LoadJob => ({
    origin: stack.storeUrl,
    paths: s.paths,
    ...(s.zipf === undefined ? {} : { zipf: s.zipf }),
    cookies: s.cookies,
    connections: settings.connections,
    durationSec,
  });
  const baseJob = (durationSec: number): LoadJob => ({
    origin: baselineOrigin,
    paths: [`/${Math.round(bytes)}`],
    connections: settings.connections,
    durationSec,
  });
  await runLoad(storeJob(settings.warmupSec));
  await runLoad(baseJob(settings.baselineWarmupSec));
  const store: LoadResult[] = [];
  const base: LoadResult[] = [];
  let peak = 0;
  for (let round = 0; round < settings.rounds; round++) {
    for (const which of round % 2 === 0 ? ['base', 'store'] : ['store', 'base']) {
      if (which === 'base') base.push(await runLoad(baseJob(settings.durationSec)));
      else {
        const rss = watchRss(stack.store.pid);
        store.push(await runLoad(storeJob(settings.durationSec)));
        peak = Math.max(peak, rss.stop());
      }
    }
  }
  const mean = (list: LoadResult[], f: (r: LoadResult) => number) => list.reduce((x, r) => x + f(r), 0) / list.length;
  const figures: PageFigures = {
    dialect,
    scenario: s.name,
    detail: s.detail,
    rps: mean(store, (r) => r.rps),
    p50Ms: mean(store, (r) => r.p50Ms),
    p99Ms: mean(store, (r) => r.p99Ms),
    baselineRps: mean(base, (r) => r.rps),
    baselineP99Ms: mean(base, (r) => r.p99Ms),
    bytes,
    peakRssBytes: peak,
    failures: store.reduce((n, r) => n + failuresOf(r), 0),
    measured: `${settings.rounds} × ${settings.durationSec} s after ${settings.warmupSec} s`,
    target: s.target,
  };
  say(
    `${dialect} ${s.name}: ${figures.rps.toFixed(0)} req/s (baseline ${figures.baselineRps.toFixed(0)}, ${((figures.rps / figures.baselineRps) * 100).toFixed(0)} %), p50 ${figures.p50Ms.toFixed(2)} ms, p99 ${figures.p99Ms.toFixed(2)} ms, RSS ${(peak / 2 ** 20).toFixed(0)} MB${figures.failures ? `, ${figures.failures} FAILED` : ''}`,
  );
  if (figures.failures) say(`  statuses: ${JSON.stringify(store.map((r) => r.statuses))}`);
  return figures;
}

/** The store's count of SQL statements sent (src/platform/metrics.ts). */
const STATEMENTS = 'store_sql_statements_total';

async function purchases(stack: Stack, repo: ReturnType<typeof createBenchRepo>, ca: Buffer, dialect: string): Promise<PurchaseFigures> {
  const buyers = await registerBuyers(stack.storeUrl, ca, settings.buyers);
  const { skus, pooled, poolKeys } = await purchaseSkus(repo);
  say(
    `${dialect} purchases: ${buyers.length} buyers, ${skus.length} picks (${pooled} key_lim products with ${poolKeys} keys among them), ${settings.purchaseSec} s`,
  );
  const job: PurchaseJob = {
    storeUrl: stack.storeUrl,
    gatewayDevUrl: stack.services.gatewayDevUrl,
    buyers: buyers.map((b) => ({ cookie: b.cookie })),
    skus,
    durationSec: settings.purchaseSec,
  };
  const statementsBefore = (await scrapeMetrics(stack)).get(STATEMENTS) ?? NaN;
  const rss = watchRss(stack.store.pid);
  const [node, argv] = tsx('bench/purchase.ts');
  const result = JSON.parse(
    await runChild(node, [...argv], { cwd: root, input: JSON.stringify(job), timeoutMs: (settings.purchaseSec + 90) * 1000 }),
  ) as PurchaseResult;
  const peak = rss.stop();
  for (const b of buyers) b.browser.close();
  const { oversold, deliveredPoolKeys, soldPoolKeys } = await repo.countOversoldKeys();
  const undelivered = await repo.countUndeliveredKeyUnits();
  const metrics = await scrapeMetrics(stack);
  // Everything the store sent meanwhile: the buyers' requests, the webhooks, the mail worker's outbox.
  const statements = ((metrics.get(STATEMENTS) ?? NaN) - statementsBefore) / Math.max(1, result.completed);
  const webhooks = [...metrics]
    .filter(([k]) => k.startsWith('store_payment_webhook_events_total'))
    .map(([k, v]) => `${/outcome="([^"]+)"/.exec(k)?.[1]}: ${v}`);
  say(
    `${dialect} purchases: ${result.completed} completed, ${result.completedPerSec.toFixed(1)}/s, ${statements.toFixed(1)} SQL statements per purchase (with ${(result.cartPolls / Math.max(1, result.completed)).toFixed(1)} cart polls each: 2 statements while the cart is full, 1 once the webhook emptied it), sold out ${result.soldOut}, failed ${result.failed}, pool keys delivered ${deliveredPoolKeys} / sold ${soldPoolKeys}, oversold ${oversold}; webhooks ${webhooks.join(', ')}`,
  );
  for (const f of result.failures.slice(0, 5)) say(`  failure: ${f}`);
  return {
    dialect,
    buyers: buyers.length,
    completed: result.completed,
    perSec: result.completedPerSec,
    statementsPerPurchase: statements,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    soldOut: result.soldOut,
    failed: result.failed,
    oversold,
    undelivered,
    peakRssBytes: peak,
    target: dialect === 'postgres' ? 120 : 200,
    statementsTarget: 15,
  };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'store-bench-'));
  say(`working in ${dir} (logs of the store and services end up here)`);
  const certificate = { ...makeCertificate(dir), keyPath: join(dir, 'bench-key.pem') };
  if (!args['no-build']) {
    say('building (npm run build)');
    await runChild('npm', ['run', 'build'], { cwd: root, timeoutMs: 600_000 }).catch((err: Error) => {
      if (!existsSync(join(root, 'dist/src/main.js'))) throw err;
      say(`the build reported errors; running the compiled output anyway:\n${err.message.slice(-1500)}`);
    });
  }
  const [node, argv] = tsx('bench/baseline.ts');
  const baseline = startChild(node, [...argv], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production' },
    logFile: join(dir, 'baseline.log'),
    handshake: true,
  });
  const baselineOrigin = `http://127.0.0.1:${(JSON.parse(await firstLine(baseline.process, 60_000)) as { port: number }).port}`;
  const report: Report = { machine: [], settings: [], pages: [], purchases: [], storePeakRss: [], rssTargetBytes: 250 * 1024 * 1024 };
  const versions: string[] = [];
  try {
    for (const dialect of dialects) {
      const database = await benchDatabase(dialect, dir);
      try {
        say(`${dialect}: seeding ${settings.count} products (npm run seed:large)`);
        const started = performance.now();
        // As `npm run seed:large`: the development values (dev/env.ts) fill what the bench leaves unset.
        const [seedNode, seedArgv] = [process.execPath, ['--import', 'tsx', '--import', './dev/env.ts', 'src/cli/seed.ts']];
        // Pool keys are sealed at rest: the generator and the store share this run's throwaway key.
        const encryptionKey = randomBytes(32).toString('base64');
        await runChild(seedNode, [...seedArgv, 'large', '--count', String(settings.count)], {
          cwd: root,
          timeoutMs: 30 * 60_000,
          env: {
            PATH: process.env.PATH ?? '',
            NODE_ENV: 'development',
            DEMO: 'false',
            DATABASE_URL: database.url,
            ENCRYPTION_KEY: encryptionKey,
          },
        });
        const seconds = (performance.now() - started) / 1000;
        report.settings.push(`${dialect}: ${settings.count} products generated and loaded in ${seconds.toFixed(0)} s`);
        const db = createDatabase(database.url, { poolSize: 2 });
        const repo = createBenchRepo(db);
        versions.push(await repo.engineVersion());
        const nodeArgs = [...nodeFlags, ...(args.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(dir, `profile-${dialect}`)}`] : [])];
        const stack = await startStack({
          root,
          dir,
          name: dialect,
          databaseUrl: database.url,
          encryptionKey,
          certificate,
          logLevel: args['log-level'],
          nodeArgs,
        });
        try {
          if (!args['purchases-only']) {
            const cartUsers = await registerBuyers(stack.storeUrl, certificate.cert, settings.cartUsers);
            const only = args.scenarios?.split(',');
            for (const scenario of await buildScenarios(repo, cartUsers, stack.storeUrl, settings.count)) {
              if (!only || only.includes(scenario.name.split(' ')[0]!))
                report.pages.push(await measure(stack, baselineOrigin, dialect, scenario));
            }
            for (const u of cartUsers) u.browser.close();
          }
          if (!args['no-purchases']) report.purchases.push(await purchases(stack, repo, certificate.cert, dialect));
          report.storePeakRss.push({ dialect, bytes: rssOf(stack.store.pid, 'VmHWM') ?? 0 });
        } finally {
          await stack.stop();
          await db.destroy();
        }
      } finally {
        await database.drop();
      }
    }
  } finally {
    await baseline.stop();
  }
  const production = productionCommand(root);
  const commandLine = [
    ...Object.entries(production.env).map(([k, v]) => `${k}=${v}`),
    'node',
    ...production.nodeArgs,
    ...nodeFlags,
    'dist/src/main.js',
  ].join(' ');
  report.machine = describeMachine([
    ...versions,
    'Load generator: autocannon 9 in a process of its own, over loopback; baseline: bare Fastify 5, no logging, constant HTML of the same size as the page',
  ]);
  report.settings.unshift(
    `${settings.connections} connections; ${settings.rounds} round(s) of ${settings.durationSec} s per figure, baseline and store back to back (order alternating), after ${settings.warmupSec} s of warm-up of the store (${settings.baselineWarmupSec} s of the baseline)${quick ? ' (--quick)' : ''}; the table's "measured" column says how long each figure was measured`,
    `Store: compiled, as \`npm run start:prod\` runs it (\`${commandLine}\`), NODE_ENV=production, LOG_LEVEL=${args['log-level']} (JSON lines to a file), METRICS_TOKEN set (requests timed); one process`,
    `Purchases: ${settings.buyers} buyers at once for ${settings.purchaseSec} s, each: add to cart, POST /checkout, Pay on the development gateway, poll the cart (every 20 ms) until the webhook has fulfilled the order; statements per purchase from the store's own counter (everything it sent meanwhile, the mail worker's outbox included)`,
  );
  const markdown = renderReport(report);
  console.log(`\n${markdown}`);
  if (!args['no-write']) {
    writeReport(join(root, 'docs/PERFORMANCE.md'), markdown);
    say('written to docs/PERFORMANCE.md');
  }
  const troubled =
    report.pages.some((p) => p.failures > 0) || report.purchases.some((p) => p.failed > 0 || p.oversold > 0 || p.undelivered > 0);
  if (args.profile) say(`CPU profiles of the store: ${dir}/profile-*`);
  if (troubled) say(`some requests failed: the logs are kept in ${dir}`);
  if (!args.profile && !troubled) rmSync(dir, { recursive: true, force: true });
}

await main();
