import { describe, expect, it } from 'vitest';
import { isCrossOrigin } from './cross-origin.js';

const STORE = 'https://shop.example';

describe('isCrossOrigin', () => {
  it('trusts Sec-Fetch-Site when a browser sends it: only same-origin and none (typed, bookmarked) pass', () => {
    expect(isCrossOrigin({ 'sec-fetch-site': 'same-origin' }, STORE)).toBe(false);
    expect(isCrossOrigin({ 'sec-fetch-site': 'none' }, STORE)).toBe(false);
    for (const site of ['cross-site', 'same-site', '', 'Same-Origin', 'same-origin, same-origin'])
      expect(isCrossOrigin({ 'sec-fetch-site': site }, STORE), site).toBe(true);
    // Sec-Fetch-Site decides; an Origin beside it is not consulted (as in Go's CrossOriginProtection).
    expect(isCrossOrigin({ 'sec-fetch-site': 'same-origin', origin: 'https://elsewhere.example' }, STORE)).toBe(false);
    expect(isCrossOrigin({ 'sec-fetch-site': 'cross-site', origin: STORE }, STORE)).toBe(true);
  });

  it('without Fetch Metadata, refuses any Origin but the public one: other host, port or scheme, and null', () => {
    expect(isCrossOrigin({ origin: STORE }, STORE)).toBe(false);
    for (const origin of [
      'https://attacker.example',
      'https://shop.example:8443',
      'http://shop.example',
      'https://sub.shop.example',
      'null',
      '',
    ])
      expect(isCrossOrigin({ origin }, STORE), origin).toBe(true);
  });

  it('lets a request with neither header through: no browser sent it, so no browser cookie was borrowed', () => {
    expect(isCrossOrigin({}, STORE)).toBe(false);
    expect(isCrossOrigin({ referer: 'https://attacker.example/' }, STORE)).toBe(false);
  });
});
