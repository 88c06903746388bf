import { describe, expect, it } from 'vitest';
import { AppError } from '../platform/errors.js';
import { replyHref } from './admin-messages.view.js';
import { parseOrderQuery, parseOrderStatus, parsePage, parseProductStatus, toOrderSearch } from './admin-query.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? `${err.status} ${err.code}` : String(err);
  }
  return 'no error';
};

describe('owner order search', () => {
  it('reads ids (whole, a beginning, with or without ord_, any case) and whole email addresses', () => {
    expect(parseOrderQuery(undefined)).toEqual({ kind: 'all' });
    expect(parseOrderQuery('   ')).toEqual({ kind: 'all' });
    expect(parseOrderQuery(' ORD_3FA9 ')).toEqual({ kind: 'id', prefix: 'ord_3fa9' });
    expect(parseOrderQuery('3fa9')).toEqual({ kind: 'id', prefix: 'ord_3fa9' });
    expect(parseOrderQuery('ord_')).toEqual({ kind: 'id', prefix: 'ord_' });
    expect(parseOrderQuery('ord_0123456789abcdef01234567')).toEqual({ kind: 'id', prefix: 'ord_0123456789abcdef01234567' });
    expect(parseOrderQuery(' Ada.Lovelace@Example.COM ')).toEqual({ kind: 'email', email: 'ada.lovelace@example.com' });
    expect(parseOrderQuery(' #1042 ')).toEqual({ kind: 'number', orderNumber: 1042 });
    expect(parseOrderQuery('# 7')).toEqual({ kind: 'number', orderNumber: 7 });
    // Bare digits stay an id beginning: ids are hex.
    expect(parseOrderQuery('1042')).toEqual({ kind: 'id', prefix: 'ord_1042' });
  });

  it('refuses what it cannot look up by index, with a hint', () => {
    for (const q of [
      'lovelace',
      'ord_xyz',
      'ord_0123456789abcdef012345678',
      '0123456789abcdef0123456789',
      'a b@c',
      '@example.com',
      'ada@',
      '#',
      '#10x',
      '#1234567890123456',
    ]) {
      expect(
        codeOf(() => parseOrderQuery(q)),
        q,
      ).toBe('400 invalid_search');
    }
  });

  it('turns an id beginning into the closed range of ids that share it', () => {
    expect(toOrderSearch({ kind: 'id', prefix: 'ord_3fa9' }, null)).toEqual({
      idFrom: `ord_3fa9${'0'.repeat(20)}`,
      idTo: `ord_3fa9${'f'.repeat(20)}`,
    });
    const whole = 'ord_0123456789abcdef01234567';
    expect(toOrderSearch({ kind: 'id', prefix: whole }, 'fulfilled')).toEqual({ idFrom: whole, idTo: whole, status: 'fulfilled' });
    expect(toOrderSearch({ kind: 'email', email: 'a@b.example' }, null)).toEqual({ emailLower: 'a@b.example' });
    expect(toOrderSearch({ kind: 'all' }, 'needs_attention')).toEqual({ status: 'needs_attention' });
    expect(toOrderSearch({ kind: 'number', orderNumber: 1042 }, null)).toEqual({ orderNumber: 1042 });
  });

  it('accepts every order state and nothing else; empty means any', () => {
    expect(parseOrderStatus('')).toBeNull();
    expect(parseOrderStatus(undefined)).toBeNull();
    expect(parseOrderStatus('partially_refunded')).toBe('partially_refunded');
    for (const bad of ['paid', 'FULFILLED', 'fulfilled ', 'x'])
      expect(
        codeOf(() => parseOrderStatus(bad)),
        bad,
      ).toBe('400 invalid_status');
    expect(parseProductStatus('archived')).toBe('archived');
    expect(codeOf(() => parseProductStatus('deleted'))).toBe('400 invalid_status');
  });

  it('reads page numbers from 1; anything else is a 400', () => {
    expect(parsePage(undefined)).toBe(1);
    expect(parsePage('3')).toBe(3);
    for (const bad of ['0', '-1', '1.5', 'two', '1e3'])
      expect(
        codeOf(() => parsePage(bad)),
        bad,
      ).toBe('400 invalid_page');
  });
});

describe('replying to a contact message', () => {
  it('encodes the address so it cannot add recipients or headers', () => {
    expect(replyHref('ada@example.com', 'Hello')).toBe('mailto:ada@example.com?subject=Re%3A%20Hello');
    expect(replyHref('a?cc=eve@example.com', 'x&bcc=eve')).toBe('mailto:a%3Fcc%3Deve@example.com?subject=Re%3A%20x%26bcc%3Deve');
  });
});
