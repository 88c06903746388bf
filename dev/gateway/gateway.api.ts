import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Params } from './gateway.params.js';
import type { Ledger, RequestInfo } from './gateway.ledger.js';
import { API_VERSION, StripeApiError } from './gateway.objects.js';
import { decodeStripeForm } from './gateway.form.js';

export interface ApiOptions {
  ledger: Ledger;
  apiKey: string;
  clock: () => number;
  /** Answers the next `remaining` API requests with a 500, to play an outage. */
  outage: { remaining: number };
}

interface Replay {
  fingerprint: string;
  status: number;
  body: string;
  storedAt: number;
}

const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

declare module 'fastify' {
  interface FastifyRequest {
    stripe?: RequestInfo & { fingerprint?: string; cacheKey?: string };
  }
}

/** The API key from `Authorization: Bearer sk_…` or HTTP Basic with the key as user name, as Stripe takes it. */
function presentedKey(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value = ''] = header.split(' ', 2);
  if (scheme?.toLowerCase() === 'bearer') return value.trim() || null;
  if (scheme?.toLowerCase() === 'basic') return Buffer.from(value, 'base64').toString('utf8').split(':')[0] || null;
  return null;
}

const sameKey = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const masked = (key: string) => `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`;

const params = (request: FastifyRequest): Params => (request.body && typeof request.body === 'object' ? (request.body as Params) : {});
const query = (request: FastifyRequest): Params => decodeStripeForm(request.url.split('?')[1] ?? '');
const expands = (q: Params, field: string) => Array.isArray(q.expand) && q.expand.includes(field);

/**
 * The subset of Stripe's HTTP API the store's SDK calls, under /v1: secret-key auth, form bodies in
 * bracket notation, Stripe-shaped objects and errors, and `Idempotency-Key` replay for 24 hours.
 */
export async function gatewayApi(app: FastifyInstance, { ledger, apiKey, clock, outage }: ApiOptions) {
  const replays = new Map<string, Replay>();

  app.addHook('onRequest', async (request, reply) => {
    reply.header('stripe-version', request.headers['stripe-version'] ?? API_VERSION);
    if (outage.remaining > 0) {
      outage.remaining--;
      throw new StripeApiError(500, 'An unknown error occurred (simulated outage of the development gateway).', 'api_error');
    }
    const key = presentedKey(request.headers.authorization);
    if (!key) {
      throw new StripeApiError(
        401,
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      );
    }
    if (!sameKey(key, apiKey))
      throw new StripeApiError(401, `Invalid API Key provided: ${masked(key)}`, 'invalid_request_error', 'api_key_invalid');
  });

  app.addHook('preHandler', async (request, reply) => {
    const key = request.headers['idempotency-key'];
    request.stripe = { id: String(reply.getHeader('request-id')), idempotency_key: typeof key === 'string' ? key : null };
    if (request.method !== 'POST' || typeof key !== 'string') return;
    if (key.length > 255)
      throw new StripeApiError(400, 'Idempotency-Key must be at most 255 characters.', 'invalid_request_error', 'idempotency_key_too_long');
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.url.split('?')[0]} ${JSON.stringify(params(request))}`)
      .digest('hex');
    const cacheKey = `${apiKey}\u0000${key}`;
    const earlier = replays.get(cacheKey);
    if (earlier && clock() - earlier.storedAt < IDEMPOTENCY_TTL_MS) {
      if (earlier.fingerprint !== fingerprint) {
        throw new StripeApiError(
          400,
          `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          'idempotency_error',
        );
      }
      reply.header('idempotent-replayed', 'true').header('idempotency-key', key);
      return reply.code(earlier.status).type('application/json').send(earlier.body);
    }
    request.stripe = { ...request.stripe, fingerprint, cacheKey };
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const s = request.stripe;
    // Stripe keeps the outcome of every request that began executing, errors included.
    if (
      s?.cacheKey &&
      s.fingerprint &&
      typeof payload === 'string' &&
      reply.statusCode < 500 &&
      reply.getHeader('idempotent-replayed') !== 'true'
    ) {
      replays.set(s.cacheKey, { fingerprint: s.fingerprint, status: reply.statusCode, body: payload, storedAt: clock() });
      reply.header('idempotency-key', s.idempotency_key);
    }
    return payload;
  });

  const info = (request: FastifyRequest): RequestInfo => ({
    id: request.stripe?.id ?? null,
    idempotency_key: request.stripe?.idempotency_key ?? null,
  });
  const send = (reply: FastifyReply, body: unknown) => reply.type('application/json').send(JSON.stringify(body, null, 2));

  app.post('/checkout/sessions', async (request, reply) => send(reply, ledger.createSession(params(request))));

  app.get('/checkout/sessions', async (request, reply) => send(reply, ledger.listSessions(query(request))));

  app.get<{ Params: { id: string } }>('/checkout/sessions/:id', async (request, reply) => {
    const session = ledger.session(request.params.id);
    const piId = session.payment_intent;
    if (expands(query(request), 'payment_intent') && typeof piId === 'string') session.payment_intent = ledger.paymentIntent(piId);
    return send(reply, session);
  });

  app.post<{ Params: { id: string } }>('/checkout/sessions/:id/expire', async (request, reply) =>
    send(reply, ledger.expireSession(request.params.id, info(request))),
  );

  app.post('/refunds', async (request, reply) => send(reply, ledger.refund(params(request), info(request))));

  app.get<{ Params: { id: string } }>('/payment_intents/:id', async (request, reply) =>
    send(reply, ledger.paymentIntent(request.params.id)),
  );

  app.get<{ Params: { id: string } }>('/charges/:id', async (request, reply) => send(reply, ledger.charge(request.params.id)));
}
