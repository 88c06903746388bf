import type { FastifyInstance } from 'fastify';
import { AppError } from '../platform/errors.js';
import type { PaymentEventsService } from './payment-events.service.js';

interface PaymentsRoutesOptions {
  payments: PaymentEventsService;
  /** Told the outcome of every webhook delivery (metrics): the service's outcome, `rejected` or `error`. */
  onWebhookOutcome?: (outcome: string) => void;
}

/** POST /api/payment-callback: the gateway's webhook for orders and donations. */
export async function paymentsRoutes(app: FastifyInstance, { payments, onWebhookOutcome = () => undefined }: PaymentsRoutesOptions) {
  // The webhook needs the exact bytes the gateway signed, so this scope keeps JSON bodies raw.
  await app.register(async (webhook) => {
    webhook.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_request, body, done) =>
      done(null, body),
    );
    webhook.post('/api/payment-callback', { config: { csrf: false } }, async (request) => {
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const handled = await payments
        .handleWebhook(rawBody, request.headers['stripe-signature'] as string | undefined)
        .catch((err: unknown) => {
          onWebhookOutcome(err instanceof AppError && err.status < 500 ? 'rejected' : 'error');
          throw err;
        });
      onWebhookOutcome(handled.outcome);
      request.log.info({ eventId: handled.eventId, orderId: handled.orderId, outcome: handled.outcome }, 'payment event');
      return { received: true, outcome: handled.outcome };
    });
  });
}
