/**
 * The purchase load, in a process of its own: many logged-in buyers at once, each in a loop of
 * add to cart -> POST /checkout -> "Pay" on the development gateway -> wait until the webhook has
 * fulfilled the order (the cart empties in the paying transaction). Reads a PurchaseJob as JSON
 * from stdin, prints a PurchaseResult as JSON on stdout.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';

export interface PurchaseJob {
  storeUrl: string;
  /** the gateway's plain-http test endpoints (what pressing "Pay" on its page does) */
  gatewayDevUrl: string;
  buyers: Array<{ cookie: string }>;
  skus: string[];
  durationSec: number;
}

export interface PurchaseResult {
  completed: number;
  soldOut: number;
  failed: number;
  elapsedSec: number;
  completedPerSec: number;
  /** from "add to cart" to the fulfilled order, per completed purchase */
  p50Ms: number;
  p99Ms: number;
  /** GET /api/cart calls while waiting for webhooks (each costs the store a statement or two) */
  cartPolls: number;
  failures: string[];
}

// Idle sockets close before the store's keep-alive timeout (5 s) can close them under a request.
const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 4000 });
const MAX_ROUNDS_PER_BUYER = 100_000;
const FULFIL_TIMEOUT_MS = 15_000;

function call(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; location: string | null; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        timeout: 15_000,
        headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location ?? null, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout ${method} ${url}`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function run(job: PurchaseJob): Promise<PurchaseResult> {
  if (!job.storeUrl.startsWith('http://127.0.0.1:') || !job.gatewayDevUrl.startsWith('http://127.0.0.1:'))
    throw new Error('the purchase load only targets 127.0.0.1');
  const started = performance.now();
  const deadline = started + job.durationSec * 1000;
  const latencies: number[] = [];
  const failures: string[] = [];
  const tally = { completed: 0, soldOut: 0, failed: 0, cartPolls: 0 };
  let lastCompletion = started;
  const fail = (what: string) => {
    tally.failed++;
    if (failures.length < 20) failures.push(what);
  };

  async function buy(buyer: PurchaseJob['buyers'][number], sku: string) {
    // What a browser says about the store page's own fetches and form posts (the cross-origin check reads it).
    const json = { cookie: buyer.cookie, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' };
    const t0 = performance.now();
    const added = await call(`${job.storeUrl}/api/cart/add`, 'POST', json, JSON.stringify({ sku, quantity: 1 }));
    if (added.status === 409) return void tally.soldOut++;
    if (added.status !== 200) return fail(`cart add ${added.status}: ${added.body.slice(0, 200)}`);
    // As the review page's form posts it: the billing details typed (prefilled) there.
    const form = new URLSearchParams({ idempotencyKey: randomUUID(), billingName: 'Bench Buyer', billingCountry: 'DE' }).toString();
    const placed = await call(
      `${job.storeUrl}/checkout`,
      'POST',
      { cookie: buyer.cookie, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' },
      form,
    );
    if (placed.status === 409) {
      tally.soldOut++;
      await call(`${job.storeUrl}/api/cart/remove`, 'POST', json, JSON.stringify({ sku }));
      return;
    }
    const session = placed.status === 303 ? /\/pay\/(cs_[A-Za-z0-9_]+)/.exec(placed.location ?? '')?.[1] : undefined;
    if (!session) return fail(`checkout ${placed.status} ${placed.location ?? ''}: ${placed.body.slice(0, 200)}`);
    const paid = await call(`${job.gatewayDevUrl}/__dev/sessions/${session}/pay`, 'POST', { 'content-type': 'application/json' }, '{}');
    if (paid.status !== 200) return fail(`pay ${paid.status}: ${paid.body.slice(0, 200)}`);
    // The paying transaction empties the cart: once it is empty the webhook has fulfilled the order.
    for (const waitUntil = performance.now() + FULFIL_TIMEOUT_MS; ;) {
      tally.cartPolls++;
      const cart = await call(`${job.storeUrl}/api/cart`, 'GET', { cookie: buyer.cookie });
      if (cart.status !== 200) return fail(`cart ${cart.status}`);
      if ((JSON.parse(cart.body) as { count: number }).count === 0) break;
      if (performance.now() > waitUntil) return fail(`order for ${sku} not fulfilled within ${FULFIL_TIMEOUT_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    lastCompletion = performance.now();
    tally.completed++;
    latencies.push(lastCompletion - t0);
  }

  await Promise.all(
    job.buyers.map(async (buyer) => {
      for (let round = 0; round < MAX_ROUNDS_PER_BUYER && performance.now() < deadline; round++) {
        await buy(buyer, job.skus[Math.floor(Math.random() * job.skus.length)]!).catch((err: Error) => fail(err.message));
      }
    }),
  );
  const elapsedSec = (lastCompletion - started) / 1000;
  latencies.sort((x, y) => x - y);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? 0;
  agent.destroy();
  return {
    ...tally,
    elapsedSec,
    completedPerSec: elapsedSec > 0 ? tally.completed / elapsedSec : 0,
    p50Ms: at(50),
    p99Ms: at(99),
    failures,
  };
}

let input = '';
process.stdin.on('data', (c: Buffer) => (input += c.toString()));
process.stdin.on('end', () => {
  run(JSON.parse(input) as PurchaseJob).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
});
