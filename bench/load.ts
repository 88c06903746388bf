/**
 * The load generator, in a process of its own (never the server's): autocannon over loopback
 * against one URL with paths (and optional cookies) drawn at random per request. Reads a LoadJob as
 * JSON from stdin, prints a LoadResult as JSON on stdout.
 */
import autocannon from 'autocannon';

export interface LoadJob {
  /** http://127.0.0.1:<port> */
  origin: string;
  paths: string[];
  /** Draw paths by rank with a Zipf law of this exponent (the first path most often); uniformly without it. */
  zipf?: number;
  /** Cookie headers, one drawn per request (logged-in load); none for anonymous load. */
  cookies?: string[];
  connections: number;
  durationSec: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** status code -> count */
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  meanBytes: number;
}

const MAX_SAMPLES = 4_000_000;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A draw of an index below `n`: P(rank k) proportional to 1 / k^s, by binary search over the cumulative weights. */
function zipfSampler(n: number, s: number): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) cumulative[k] = total += 1 / (k + 1) ** s;
  return () => {
    const r = Math.random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

async function run(job: LoadJob): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(job.origin)) throw new Error('the load generator only targets http://127.0.0.1');
  const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]!;
  const rank = job.zipf === undefined ? null : zipfSampler(job.paths.length, job.zipf);
  const pickPath = rank ? () => job.paths[rank()]! : () => pick(job.paths);
  const samples = new Float64Array(MAX_SAMPLES);
  let count = 0;
  let bytes = 0;
  const statuses: Record<string, number> = {};
  const instance = autocannon({
    url: job.origin,
    connections: job.connections,
    duration: job.durationSec,
    pipelining: 1,
    timeout: 10,
    requests: [
      {
        setupRequest: (request) => {
          request.path = pickPath();
          if (job.cookies?.length) request.headers = { ...request.headers, cookie: pick(job.cookies) };
          return request;
        },
      },
    ],
  });
  // autocannon's own histogram has whole-millisecond resolution; keep exact response times instead.
  instance.on('response', (_client: unknown, statusCode: number, resBytes: number, responseTime: number) => {
    if (count < MAX_SAMPLES) samples[count++] = responseTime;
    bytes += resBytes;
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  const result = await instance;
  const sorted = samples.subarray(0, count).sort();
  const requests = result.requests.total;
  return {
    requests,
    rps: requests / result.duration,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    meanBytes: count ? bytes / count : 0,
  };
}

let input = '';
process.stdin.on('data', (c: Buffer) => (input += c.toString()));
process.stdin.on('end', () => {
  run(JSON.parse(input) as LoadJob).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
});
