import type { Config } from '../platform/config.js';
import type { PaymentGateway } from './payment-gateway.js';
import { createStripeGateway } from './stripe.gateway.js';

/** The gateway the configuration names (Stripe, or the bundled dev gateway through the same SDK). */
export function createPaymentGateway(config: Pick<Config, 'payments'>, clock: () => number = Date.now): PaymentGateway {
  const p = config.payments;
  switch (p.provider) {
    case 'stripe':
      return createStripeGateway({
        secretKey: p.secretKey,
        webhookSecret: p.webhookSecret,
        apiUrl: p.apiUrl,
        toleranceSeconds: p.webhookToleranceSeconds,
        clock,
      });
  }
}
