import type { FastifyInstance } from 'fastify';
import type { Ledger } from './gateway.ledger.js';
import { eventObject, StripeApiError, successRedirect, type StripeObject } from './gateway.objects.js';
import { applyPageAction } from './gateway.page.js';
import type { WebhookDispatcher } from './gateway.webhooks.js';

interface DevRouteOptions {
  ledger: Ledger;
  webhooks: WebhookDispatcher;
  publicUrl: () => string;
  clock: () => number;
}

type Body = Record<string, unknown> | undefined;
const bodyOf = (b: unknown): Record<string, unknown> => (b && typeof b === 'object' ? (b as Record<string, unknown>) : {});

function amountOption(body: Record<string, unknown>): number | undefined {
  if (body.amount === undefined) return undefined;
  const n = Number(body.amount);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new StripeApiError(
      400,
      'amount must be a positive integer (minor units).',
      'invalid_request_error',
      'parameter_invalid',
      'amount',
    );
  return n;
}

function currencyOption(body: Record<string, unknown>): string | undefined {
  if (body.currency === undefined) return undefined;
  if (typeof body.currency !== 'string' || !/^[A-Za-z]{3}$/.test(body.currency))
    throw new StripeApiError(400, 'currency must be a 3-letter code.', 'invalid_request_error', 'parameter_invalid', 'currency');
  return body.currency;
}

/**
 * The test-automation endpoint under /__dev (no auth: a development tool on 127.0.0.1). Each
 * session action does exactly what the hosted page's button does, and answers JSON with the
 * session and where the buyer's browser would go next (`redirectUrl`):
 *
 *   POST /__dev/sessions/:id/pay       body (optional, JSON or form): { async?: true, amount?, currency? }
 *   POST /__dev/sessions/:id/decline   card declined; the session stays open
 *   POST /__dev/sessions/:id/cancel    the buyer goes back (the session stays open, as on Stripe)
 *   POST /__dev/sessions/:id/expire    as POST /v1/checkout/sessions/:id/expire
 *   POST /__dev/sessions/:id/settle    a processing (`async`) payment succeeds
 *   POST /__dev/sessions/:id/fail      a processing (`async`) payment fails
 *   GET  /__dev/sessions/:id           the session with its line items
 *   GET  /__dev/events                 every event with its delivery attempts (newest last)
 *   POST /__dev/events                 { type, object }: send a custom event (e.g. a type the store does not handle; always sent)
 *   POST /__dev/events/:id/resend      deliver an event again (same id)
 *   POST /__dev/sweep                  expire every session past its expires_at now
 */
export async function gatewayDevRoutes(app: FastifyInstance, { ledger, webhooks, publicUrl, clock }: DevRouteOptions) {
  const pageUrl = (path: string) => (path.startsWith('/') ? `${publicUrl()}${path}` : path);

  app.post<{ Params: { id: string; action: string }; Body: Body }>('/sessions/:id/:action', async (request) => {
    const { id, action } = request.params;
    const body = bodyOf(request.body);
    const record = ledger.sessionRecord(id);
    let redirectUrl: string | null = null;
    if (action === 'pay' && (body.async !== undefined || body.amount !== undefined || body.currency !== undefined)) {
      ledger.pay(id, { async: body.async === true || body.async === 'true', amount: amountOption(body), currency: currencyOption(body) });
      redirectUrl = successRedirect(record);
    } else if (action === 'pay' || action === 'decline' || action === 'cancel') {
      if (record.status !== 'open')
        throw new StripeApiError(
          400,
          `This Checkout Session is ${record.status} and can no longer be paid.`,
          'invalid_request_error',
          'checkout_session_not_open',
          'session',
        );
      redirectUrl = pageUrl(applyPageAction(ledger, record, action));
    } else if (action === 'expire') ledger.expireSession(id);
    else if (action === 'settle' || action === 'fail') ledger.settleAsync(id, action === 'settle');
    else throw new StripeApiError(404, `Unknown session action: ${action}.`, 'invalid_request_error', 'resource_missing');
    return { session: ledger.session(id), redirectUrl };
  });

  app.get<{ Params: { id: string } }>('/sessions/:id', async (request) => {
    const record = ledger.sessionRecord(request.params.id);
    return { ...ledger.session(record.id), line_items: record.line_items };
  });

  app.get('/events', async () =>
    webhooks.records().map((r) => ({
      id: r.event.id,
      type: r.event.type,
      created: r.event.created,
      state: r.state,
      attempts: r.attempts,
      data: r.event.data,
    })),
  );

  app.post<{ Body: Body }>('/events', async (request, reply) => {
    const body = bodyOf(request.body);
    const object = body.object as StripeObject | undefined;
    if (typeof body.type !== 'string' || !object || typeof object !== 'object' || typeof object.id !== 'string') {
      throw new StripeApiError(400, 'Send { type, object: { id, object, … } }.', 'invalid_request_error', 'parameter_missing', 'type');
    }
    const event = eventObject(body.type, object, Math.floor(clock() / 1000), { id: null, idempotency_key: null }) as StripeObject & {
      type: string;
      created: number;
    };
    webhooks.dispatch(event, true);
    return reply.code(201).send({ id: event.id });
  });

  app.post<{ Params: { id: string } }>('/events/:id/resend', async (request, reply) => {
    const record = webhooks.resend(request.params.id);
    if (!record) throw new StripeApiError(404, `No such event: '${request.params.id}'`, 'invalid_request_error', 'resource_missing', 'id');
    return reply.code(202).send({ id: record.event.id, state: record.state });
  });

  app.post('/sweep', async () => ({ expired: ledger.sweep() }));
}
