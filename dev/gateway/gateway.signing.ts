import { createHmac, randomBytes } from 'node:crypto';

/** Stripe's v1 scheme: hex HMAC-SHA256 under the endpoint secret over `<t>.<raw body>`. */
export function computeSignature(payload: string, secret: string, timestampSeconds: number): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${payload}`, 'utf8').digest('hex');
}

/** The `Stripe-Signature` header for one delivery attempt: `t=<unix seconds>,v1=<signature>`. */
export function signatureHeader(payload: string, secret: string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${computeSignature(payload, secret, timestampSeconds)}`;
}

/** A Stripe-style object id: its prefix and an unguessable random part (`evt_…`, `cs_test_…`). */
export function stripeId(prefix: string, bytes = 12): string {
  // '-' and '_' become digits rather than being dropped, so an id always has its full length.
  return `${prefix}_${randomBytes(bytes).toString('base64url').replace(/-/g, '8').replace(/_/g, '9')}`;
}
