import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { decodeStripeForm, FormDecodeError } from './gateway.form.js';

/** The exact body the official SDK sends for a request, captured by a throwaway server. */
async function sdkEncoded(send: (stripe: Stripe) => Promise<unknown>): Promise<string> {
  let body = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      body = Buffer.concat(chunks).toString('utf8');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"x","object":"refund"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await send(
      new Stripe('sk_test_capture', {
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        protocol: 'http',
        maxNetworkRetries: 0,
      }),
    );
  } finally {
    server.close();
  }
  return body;
}

describe('decodeStripeForm', () => {
  it('rebuilds nested objects and arrays from what the SDK sends', async () => {
    const body = await sdkEncoded((stripe) =>
      stripe.checkout.sessions.create({
        mode: 'payment',
        line_items: [
          { quantity: 2, price_data: { currency: 'eur', unit_amount: 1250, product_data: { name: 'Key & "Pack" <1>' } } },
          { quantity: 1, price_data: { currency: 'eur', unit_amount: 99, product_data: { name: 'Ünïcode ✓' } } },
        ],
        metadata: { reference: 'ord_1', kind: 'order' },
        success_url: 'https://shop.example/r?order=1&session_id={CHECKOUT_SESSION_ID}',
      }),
    );
    expect(body).toContain('line_items[0][price_data][unit_amount]=1250');
    expect(decodeStripeForm(body)).toEqual({
      mode: 'payment',
      line_items: [
        { quantity: '2', price_data: { currency: 'eur', unit_amount: '1250', product_data: { name: 'Key & "Pack" <1>' } } },
        { quantity: '1', price_data: { currency: 'eur', unit_amount: '99', product_data: { name: 'Ünïcode ✓' } } },
      ],
      metadata: { reference: 'ord_1', kind: 'order' },
      success_url: 'https://shop.example/r?order=1&session_id={CHECKOUT_SESSION_ID}',
    });
  });

  it('accepts percent-encoded brackets and appends with []', () => {
    expect(decodeStripeForm('expand%5B%5D=payment_intent&expand[]=line_items&metadata%5Bx%5D=y+z')).toEqual({
      expand: ['payment_intent', 'line_items'],
      metadata: { x: 'y z' },
    });
  });

  it('reads an empty body as no parameters, and numeric top-level names as names', () => {
    expect(decodeStripeForm('')).toEqual({});
    expect(decodeStripeForm('0=a')).toEqual({ 0: 'a' });
    expect(Array.isArray(decodeStripeForm('0=a'))).toBe(false);
  });

  it('lets a repeated scalar key take its last value', () => {
    expect(decodeStripeForm('amount=1&amount=2')).toEqual({ amount: '2' });
  });

  it('refuses arrays with gaps or not starting at 0', () => {
    expect(() => decodeStripeForm('line_items[1][quantity]=1')).toThrow(/Invalid array/);
    expect(() => decodeStripeForm('line_items[0][quantity]=1&line_items[2][quantity]=1')).toThrow(FormDecodeError);
  });

  it('refuses a key used both as a value and as an object, in either order', () => {
    expect(() => decodeStripeForm('metadata=x&metadata[a]=b')).toThrow(/Invalid hash/);
    expect(() => decodeStripeForm('metadata[a]=b&metadata=x')).toThrow(/Invalid hash/);
  });

  it('refuses prototype keys, broken brackets, huge indexes and deep nesting', () => {
    for (const bad of [
      '__proto__[polluted]=1',
      'metadata[__proto__]=1',
      'a[constructor][prototype]=1',
      'a[b=1',
      '[a]=1',
      'a]b[=1',
      'a[1000]=1',
      `a${'[b]'.repeat(9)}=1`,
    ]) {
      expect(() => decodeStripeForm(bad), bad).toThrow(FormDecodeError);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names the offending parameter as Stripe does', () => {
    try {
      decodeStripeForm('line_items[0][quantity]=1&line_items[3][quantity]=1');
      expect.unreachable();
    } catch (err) {
      expect((err as FormDecodeError).param).toBe('line_items');
    }
  });

  it('decodes what the SDK sends for a refund', async () => {
    const body = await sdkEncoded((stripe) =>
      stripe.refunds.create({ payment_intent: 'pi_1', amount: 500, metadata: { why: 'a, b & c' } }),
    );
    expect(decodeStripeForm(body)).toEqual({ payment_intent: 'pi_1', amount: '500', metadata: { why: 'a, b & c' } });
  });
});
