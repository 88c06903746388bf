import Stripe from 'stripe';
import type { AppError } from '../platform/errors.js';
import { PaymentGatewayUnavailableError, PaymentRequestRejectedError } from './payments.errors.js';

const E = Stripe.errors;

/**
 * Turns whatever the SDK threw into an AppError the store can show. Outages, timeouts, 5xx and
 * rate limits are `payment_gateway_unavailable` (503, worth retrying); a rejected API key is the
 * same code with 502 and a reason naming the setting; refusals on the merits keep their meaning.
 */
export function toPaymentError(err: unknown, action: string): AppError {
  if (err instanceof E.StripeConnectionError)
    return new PaymentGatewayUnavailableError(`${action}: the gateway could not be reached (${err.message})`);
  if (err instanceof E.StripeRateLimitError) return new PaymentGatewayUnavailableError(`${action}: the gateway is rate limiting requests`);
  if (err instanceof E.StripeAuthenticationError || err instanceof E.StripePermissionError) {
    return new PaymentGatewayUnavailableError(`${action}: the gateway rejected the API key; check STRIPE_SECRET_KEY (${err.message})`, 502);
  }
  if (err instanceof E.StripeIdempotencyError) {
    return new PaymentRequestRejectedError(
      'payment_request_rejected',
      'This payment request was already made with different details. Please start again.',
      409,
      'idempotency_error',
    );
  }
  if (err instanceof E.StripeInvalidRequestError) {
    if (err.code === 'resource_missing')
      return new PaymentRequestRejectedError('payment_session_not_found', 'The payment gateway does not know this payment.', 404, err.code);
    if (err.code === 'amount_too_small')
      return new PaymentRequestRejectedError(
        'amount_below_minimum',
        `The payment gateway cannot take so small an amount: ${err.message}`,
        400,
        err.code,
      );
    if (err.code === 'amount_too_large' || err.code === 'charge_already_refunded') {
      return new PaymentRequestRejectedError(
        'refund_rejected',
        'The refund is larger than what is left to refund on this payment.',
        409,
        err.code,
      );
    }
    return new PaymentRequestRejectedError(
      'payment_request_rejected',
      `The payment gateway refused the request (${action}): ${err.message}`,
      502,
      err.code,
    );
  }
  if (err instanceof E.StripeError)
    return new PaymentGatewayUnavailableError(`${action}: the gateway failed (${err.statusCode ?? '?'} ${err.message})`, 502);
  return new PaymentGatewayUnavailableError(`${action}: ${err instanceof Error ? err.message : String(err)}`, 502);
}
