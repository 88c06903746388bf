import { describe, expect, it } from 'vitest';
import { formatMoney, isCurrency, minorUnitDigits } from './money.js';

describe('money', () => {
  it('formats minor units for the currency', () => {
    expect(formatMoney(4900, 'EUR')).toBe('€49.00');
    expect(formatMoney(1999, 'USD')).toBe('$19.99');
    expect(formatMoney(1500, 'JPY')).toBe('¥1,500');
    expect(formatMoney(1234567, 'USD')).toBe('$12,345.67');
  });

  it('formats zero and negative amounts', () => {
    expect(formatMoney(0, 'EUR')).toBe('€0.00');
    expect(formatMoney(-150, 'USD')).toBe('-$1.50');
    expect(formatMoney(-5, 'JPY')).toBe('-¥5');
  });

  it('honours the locale', () => {
    expect(formatMoney(4900, 'EUR', 'de-DE')).toBe('49,00\u00a0€');
  });

  it('knows each currency’s minor unit and which codes exist', () => {
    expect(minorUnitDigits('EUR')).toBe(2);
    expect(minorUnitDigits('JPY')).toBe(0);
    expect(minorUnitDigits('KWD')).toBe(3);
    expect(isCurrency('EUR')).toBe(true);
    expect(isCurrency('eur')).toBe(false);
    expect(isCurrency('XYZ')).toBe(false);
  });
});
