import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Ledger } from './gateway.ledger.js';
import { StripeApiError, successRedirect, type SessionRecord } from './gateway.objects.js';
import { ClosedPage, GATEWAY_CSS, GATEWAY_ICON, NotFoundPage, PaymentPage, renderPage } from './gateway.views.js';

const origin = (url: string | null) => {
  try {
    return url ? new URL(url.replaceAll('{CHECKOUT_SESSION_ID}', 'x')).origin : null;
  } catch {
    return null;
  }
};

/** Strict headers; form-action lists the shop too, since Chrome applies it to the redirect after the POST. */
function sendPage(reply: FastifyReply, html: string, session: SessionRecord | null, status = 200) {
  const shop = session ? [origin(session.success_url), origin(session.cancel_url)].filter((o): o is string => !!o) : [];
  return reply
    .code(status)
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy':
        `default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self' ${[...new Set(shop)].join(' ')}`.trim(),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    })
    .send(html);
}

function findSession(ledger: Ledger, id: string): SessionRecord | null {
  try {
    return ledger.sessionRecord(id);
  } catch (err) {
    if (err instanceof StripeApiError && err.status === 404) return null;
    throw err;
  }
}

/** What a button on the hosted page does; the test endpoint (/__dev) calls the same. Returns where the buyer goes next. */
export function applyPageAction(ledger: Ledger, session: SessionRecord, action: string): string {
  const page = `/pay/${encodeURIComponent(session.id)}`;
  if (session.status !== 'open') return page;
  switch (action) {
    case 'pay':
      ledger.pay(session.id);
      return successRedirect(session);
    case 'decline':
      ledger.decline(session.id);
      return `${page}?error=card_declined`;
    case 'cancel':
      // Like Stripe's back link: the session stays open until it expires or the shop expires it.
      return session.cancel_url ?? page;
    default:
      throw new StripeApiError(
        400,
        `Unknown action: ${action}. Use pay, decline or cancel.`,
        'invalid_request_error',
        'parameter_invalid',
        'action',
      );
  }
}

/** The hosted payment page at /pay/:sessionId: server-rendered, works without JavaScript. */
export async function gatewayPages(app: FastifyInstance, { ledger }: { ledger: Ledger }) {
  app.get('/pay/gateway.svg', async (_request, reply) =>
    reply.type('image/svg+xml').header('cache-control', 'max-age=3600').send(GATEWAY_ICON),
  );
  app.get('/pay/gateway.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'max-age=3600').send(GATEWAY_CSS),
  );

  app.get<{ Params: { id: string }; Querystring: { error?: string } }>('/pay/:id', async (request, reply) => {
    const session = findSession(ledger, request.params.id);
    if (!session) return sendPage(reply, renderPage(NotFoundPage()), null, 404);
    if (session.status === 'open')
      return sendPage(reply, renderPage(PaymentPage({ session, declined: request.query.error === 'card_declined' })), session);
    const returnUrl = session.status === 'complete' ? successRedirect(session) : session.cancel_url;
    return sendPage(reply, renderPage(ClosedPage({ session, returnUrl })), session);
  });

  app.post<{ Params: { id: string } }>('/pay/:id', async (request, reply) => {
    const session = findSession(ledger, request.params.id);
    if (!session) return sendPage(reply, renderPage(NotFoundPage()), null, 404);
    const action = (request.body as { action?: unknown } | undefined)?.action;
    return reply.redirect(applyPageAction(ledger, session, typeof action === 'string' ? action : ''), 303);
  });
}
