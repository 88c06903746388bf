import { describe, expect, it } from 'vitest';
import { safeReturnTo } from './return-to.js';

describe('safeReturnTo', () => {
  it('keeps a same-site path with its query and fragment', () => {
    expect(safeReturnTo('/orders')).toBe('/orders');
    expect(safeReturnTo('/search?q=key%20pack&page=2#results')).toBe('/search?q=key%20pack&page=2#results');
    expect(safeReturnTo('/category/games/../../orders')).toBe('/orders');
  });

  it.each([
    ['absolute URL', 'https://evil.example/'],
    ['protocol-relative URL', '//evil.example/path'],
    ['backslash host', '/\\evil.example'],
    ['backslashes only', '\\\\evil.example'],
    ['tab trick', '/\t/evil.example'],
    ['newline trick', '/\n/evil.example'],
    ['javascript: URL', 'javascript:alert(1)'],
    ['scheme without slashes', 'https:evil.example'],
    ['relative path', 'orders'],
    ['empty', ''],
    ['not a string', ['/orders']],
    ['too long', `/${'a'.repeat(3000)}`],
    ['the login route (would loop)', '/login?returnTo=/orders'],
    ['an auth route', '/auth/callback?code=x'],
  ])('ignores %s', (_name, input) => {
    expect(safeReturnTo(input)).toBe('/');
  });
});
