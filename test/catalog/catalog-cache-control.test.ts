import { describe, expect, it } from 'vitest';
import { catalogCacheControl } from '../../src/catalog/catalog.routes.js';

describe('catalog cache-control', () => {
  const anonymous = { user: null, csrfToken: null, cartCount: 0 };

  it('lets shared caches keep an anonymous page for a minute', () => {
    expect(catalogCacheControl(anonymous)).toBe('public, max-age=60');
  });

  it('keeps pages with anything of one visitor private', () => {
    expect(catalogCacheControl({ ...anonymous, user: { name: 'Ann', email: 'ann@example.com' } })).toBe('private, no-cache');
    expect(catalogCacheControl({ ...anonymous, csrfToken: 'token' })).toBe('private, no-cache');
    expect(catalogCacheControl({ ...anonymous, cartCount: 2 })).toBe('private, no-cache');
  });
});
