import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Certificate } from './tls.js';
import { firstLine, freePort, startChild, waitForHttp, type Child } from './proc.js';
import type { ServicesInfo } from './services.js';

export interface Stack {
  storeUrl: string;
  metricsToken: string;
  services: ServicesInfo;
  store: Child;
  stop(): Promise<void>;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** The environment variables and Node flags of `npm run start:prod` (what production runs), so the benchmark measures the same process. */
export function productionCommand(root: string): { env: Record<string, string>; nodeArgs: string[] } {
  const script =
    (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['start:prod'] ?? '';
  const words = script.split(/\s+/);
  const node = words.indexOf('node');
  const env = Object.fromEntries(words.slice(0, Math.max(0, node)).map((w) => w.split('=', 2) as [string, string]));
  return { env, nodeArgs: node < 0 ? [] : words.slice(node + 1, words.indexOf('dist/src/main.js')) };
}

/**
 * The store under test, compiled (`node dist/src/main.js`) and in production mode with throwaway
 * secrets, beside the development IdP, gateway and mail sink in a process of their own. The store
 * reaches the IdP and the gateway API over https (TLS proxies with the bench's certificate, which
 * only the store process trusts, through NODE_EXTRA_CA_CERTS): production's https rules stay on.
 */
export async function startStack(options: {
  root: string;
  dir: string;
  name: string;
  databaseUrl: string;
  encryptionKey: string;
  certificate: Certificate & { keyPath: string };
  logLevel: string;
  nodeArgs?: string[];
}): Promise<Stack> {
  const port = await freePort();
  const storeUrl = `http://127.0.0.1:${port}`;
  const clientSecret = hex(24);
  const apiKey = `sk_test_bench_${hex(12)}`;
  const webhookSecret = `whsec_bench_${hex(16)}`;
  const metricsToken = hex(32);
  const servicesChild = startChild(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/services.ts',
      JSON.stringify({
        certPath: options.certificate.certPath,
        keyPath: options.certificate.keyPath,
        storeUrl,
        clientId: 'store-bench',
        clientSecret,
        audience: 'store-bench-api',
        apiKey,
        webhookSecret,
      }),
    ],
    {
      cwd: options.root,
      env: { ...process.env, NODE_ENV: 'development' },
      logFile: join(options.dir, `services-${options.name}.log`),
      handshake: true,
    },
  );
  let services: ServicesInfo;
  try {
    services = JSON.parse(await firstLine(servicesChild.process, 60_000)) as ServicesInfo;
  } catch (err) {
    await servicesChild.stop();
    throw err;
  }
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    NODE_EXTRA_CA_CERTS: options.certificate.certPath,
    HOST: '127.0.0.1',
    PORT: String(port),
    // Plain http: nothing terminates TLS in front of the store here. With https the cookies would
    // only change name and flags (__Host-, Secure); the load generator sends them either way.
    PUBLIC_URL: storeUrl,
    // As behind the reverse proxy of a real deployment: each simulated buyer has an address of its
    // own (X-Forwarded-For), so per-client limits (30 logins a minute) apply per buyer.
    TRUST_PROXY: 'true',
    DATABASE_URL: options.databaseUrl,
    LOG_LEVEL: options.logLevel,
    SESSION_SECRET: hex(32),
    // The key the catalog's pools were sealed with when the benchmark generated them.
    ENCRYPTION_KEY: options.encryptionKey,
    LICENSE_SIGNING_KEY: randomBytes(32).toString('base64'),
    SMTP_URL: services.smtpUrl,
    MAIL_FROM: 'Bench Shop <shop@bench.example>',
    SHOP_EMAIL: 'owner@bench.example',
    DEMO: 'false',
    STORAGE_DIR: join(options.dir, 'files'),
    OIDC_ISSUER: services.issuer,
    OIDC_CLIENT_ID: 'store-bench',
    OIDC_CLIENT_SECRET: clientSecret,
    OIDC_AUDIENCE: 'store-bench-api',
    STRIPE_SECRET_KEY: apiKey,
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    STRIPE_API_URL: services.gatewayApiUrl,
    METRICS_TOKEN: metricsToken,
  };
  let exitedEarly: number | null | undefined;
  const production = productionCommand(options.root);
  const store = startChild(process.execPath, [...production.nodeArgs, ...(options.nodeArgs ?? []), 'dist/src/main.js'], {
    cwd: options.root,
    env: { ...production.env, ...env },
    logFile: join(options.dir, `store-${options.name}.log`),
    onExit: (code) => (exitedEarly = code),
  });
  const stop = async () => {
    await store.stop();
    await servicesChild.stop();
  };
  try {
    await waitForHttp(`${storeUrl}/readyz`, 120_000);
  } catch (err) {
    await stop();
    throw new Error(
      `the store did not start${exitedEarly !== undefined ? ` (it exited with ${exitedEarly})` : ''}; see ${join(options.dir, `store-${options.name}.log`)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return { storeUrl, metricsToken, services, store, stop };
}

/** One scrape of the store's /metrics, as `series -> value`. */
export async function scrapeMetrics(stack: Stack): Promise<Map<string, number>> {
  const res = await fetch(`${stack.storeUrl}/metrics`, { headers: { authorization: `Bearer ${stack.metricsToken}` } });
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  const series = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}
