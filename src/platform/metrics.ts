import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AppError } from './errors.js';

/** Database-wide figures read at scrape time (every instance reports the same values). */
export interface MetricsSources {
  countOrdersByStatus(): Promise<Map<string, number>>;
  countOutboxBacklog(): Promise<number>;
  /** SQL statements this instance has sent (Database.statementCount). */
  statementCount?: () => number;
}

/** Request latency from 1 ms to 10 s: catalog pages live in the low milliseconds, checkout waits for the gateway. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * A webhook outcome as a label: the part before `:` (`not_applied:<reason>` is one series), and
 * anything unexpected folded into `other`, so the label set stays small whatever a handler returns.
 */
export function outcomeLabel(outcome: string): string {
  const head = outcome.split(':')[0]!;
  return /^[a-z_]{1,40}$/.test(head) ? head : 'other';
}

/** The store's Prometheus registry: process metrics, request latency by route, orders, webhooks, outbox. */
export function createMetrics(sources: MetricsSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer a request, by route pattern (never the raw URL), method and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const webhookEvents = new Counter({
    name: 'store_payment_webhook_events_total',
    help: 'Payment webhook deliveries handled by this instance, by outcome (rejected: bad signature or body; error: failed, the gateway retries).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  new Gauge({
    name: 'store_orders',
    help: 'Orders in the database by status.',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const counts = await sources.countOrdersByStatus();
      this.reset();
      for (const [status, n] of counts) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'store_mail_outbox_backlog',
    help: 'Mails in the outbox not sent yet (waiting, retrying, or given up on).',
    registers: [registry],
    async collect() {
      this.set(await sources.countOutboxBacklog());
    },
  });
  if (sources.statementCount) {
    const count = sources.statementCount;
    new Counter({
      name: 'store_sql_statements_total',
      help: 'SQL statements this instance sent to the database, transaction control included (each a round trip on PostgreSQL).',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(count());
      },
    });
  }
  return {
    registry,
    observeRequest(method: string, route: string, statusCode: number, seconds: number) {
      requestDuration.observe({ method, route, status_code: statusCode }, seconds);
    },
    recordWebhook(outcome: string) {
      webhookEvents.inc({ outcome: outcomeLabel(outcome) });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

class MetricsTokenError extends AppError {
  constructor() {
    super('invalid_token', 'Send the metrics token as Authorization: Bearer <token>.', 401);
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Times every request by its route pattern and serves `GET /metrics` to holders of the token
 * (compared in constant time). Registered only when a token is configured: otherwise /metrics is a 404.
 */
export const metricsPlugin = fp<{ metrics: Metrics; token: string }>(
  async (app: FastifyInstance, { metrics, token }) => {
    const expected = digest(`Bearer ${token}`);
    app.addHook('onResponse', async (request, reply) => {
      metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    });
    app.get('/metrics', async (request, reply) => {
      reply.header('cache-control', 'no-store');
      if (!timingSafeEqual(digest(request.headers.authorization ?? ''), expected)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new MetricsTokenError();
      }
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  },
  { name: 'metrics' },
);
