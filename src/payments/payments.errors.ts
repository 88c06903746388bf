import { AppError } from '../platform/errors.js';

/** A webhook whose signature is missing, wrong, or outside the tolerance window. */
export class WebhookSignatureError extends AppError {
  constructor(reason: 'missing' | 'mismatch' | 'stale' | 'unparseable') {
    super('webhook_signature_invalid', 'The webhook signature could not be verified.', 400, { reason });
  }
}

/** A correctly signed webhook whose body is not an event we can read. */
export class WebhookMalformedError extends AppError {
  constructor(problem: string) {
    super('webhook_malformed', `The webhook body is not a valid event: ${problem}.`, 400);
  }
}

/**
 * The gateway could not be reached, timed out, failed, or refused our credentials. `reason` is for
 * logs and the owner; the message is what a buyer may see.
 */
export class PaymentGatewayUnavailableError extends AppError {
  constructor(reason: string, status: 502 | 503 = 503) {
    super('payment_gateway_unavailable', 'Payment is not available right now. Nothing was charged; please try again in a moment.', status, {
      reason,
    });
  }
}

/** The gateway refused a request on its merits (no such session, refund larger than what is left, …). */
export class PaymentRequestRejectedError extends AppError {
  constructor(
    code: 'payment_session_not_found' | 'refund_rejected' | 'payment_request_rejected' | 'amount_below_minimum',
    message: string,
    status = 409,
    gatewayCode?: string,
  ) {
    super(code, message, status, gatewayCode ? { gatewayCode } : undefined);
  }
}

/** A total below the smallest charge the payment gateway accepts in its currency (Stripe: €0.50, £0.30, ¥50 …). */
export class AmountBelowMinimumError extends AppError {
  constructor(total: string, minimum: string, what: 'cart' | 'donation' | 'payment') {
    const advice =
      what === 'cart'
        ? 'Please add to your cart to reach it.'
        : what === 'donation'
          ? 'Please give at least that much.'
          : 'Please raise the amount.';
    super('amount_below_minimum', `The payment gateway cannot take less than ${minimum}; this ${what} comes to ${total}. ${advice}`, 400, {
      minimum,
    });
  }
}
