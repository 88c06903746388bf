import { describe, expect, it } from 'vitest';
import { AppError } from '../platform/errors.js';
import { assertChargeable, minimumCharge } from './charge-minimums.js';

describe('the gateway’s minimum charge', () => {
  it('follows Stripe’s table in minor units, whatever the case of the code', () => {
    expect(minimumCharge('EUR')).toBe(50);
    expect(minimumCharge('usd')).toBe(50);
    expect(minimumCharge('GBP')).toBe(30);
    expect(minimumCharge('CHF')).toBe(50);
    expect(minimumCharge('JPY')).toBe(50);
    expect(minimumCharge('HUF')).toBe(17500);
    expect(minimumCharge('XOF')).toBeNull();
  });

  it('refuses a total below it as amount_below_minimum (400) naming both amounts, and lets the minimum itself through', () => {
    let err: unknown;
    try {
      assertChargeable(49, 'EUR', 'cart');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'amount_below_minimum', status: 400 });
    expect((err as AppError).message).toBe(
      'The payment gateway cannot take less than €0.50; this cart comes to €0.49. Please add to your cart to reach it.',
    );
    expect(() => assertChargeable(50, 'EUR')).not.toThrow();
    expect(() => assertChargeable(1, 'XOF')).not.toThrow();
  });
});
