import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../test/support/env.js';
import { createFragmentCache } from '../platform/fragments.js';
import { createViewContextBuilder } from './pages.plugin.js';

const fragments = createFragmentCache({ max: 10, maxChars: 10_000, idleMs: 60_000 });
const request = { url: '/cart' } as FastifyRequest;

async function taxNote(env: Record<string, string>) {
  const build = createViewContextBuilder(testConfig(env), { navCategories: () => Promise.resolve([]) }, fragments);
  return (await build(request)).taxNote;
}

describe('the note beside prices', () => {
  it('says incl. VAT or plus VAT when tax is on (a seller country), and nothing otherwise', async () => {
    await expect(taxNote({ SELLER_COUNTRY: 'DE', PRICES_INCLUDE_TAX: 'true' })).resolves.toBe('incl. VAT');
    await expect(taxNote({ SELLER_COUNTRY: 'us', PRICES_INCLUDE_TAX: 'false' })).resolves.toBe('plus VAT');
    // no seller country: no tax at all
    await expect(taxNote({ PRICES_INCLUDE_TAX: 'false' })).resolves.toBe('');
    await expect(taxNote({ PRICES_INCLUDE_TAX: 'true' })).resolves.toBe('');
  });
});
