import { describe, expect, it } from 'vitest';
import { applyGrantEvent, judgeGrant, type GrantEvent, type GrantState } from './download-state.js';

const now = 1_800_000_000_000;
const grant = (over: Partial<GrantState> = {}): GrantState => ({
  status: 'active',
  downloadsUsed: 0,
  downloadLimit: 5,
  expiresAt: now + 1000,
  ...over,
});

// Every kind of grant the rules distinguish, against every event.
const grants: Record<string, GrantState> = {
  available: grant(),
  last: grant({ downloadsUsed: 4 }),
  exhausted: grant({ downloadsUsed: 5 }),
  expired: grant({ expiresAt: now }),
  revoked: grant({ status: 'revoked' }),
};
const events: Record<string, GrantEvent> = {
  download: { type: 'download' },
  revoke: { type: 'revoke' },
  reset: { type: 'reset' },
  extend: { type: 'extend', expiresAt: now + 10_000 },
  extendBackwards: { type: 'extend', expiresAt: now - 1 },
};
const expected: Record<string, Record<string, Partial<GrantState> | string>> = {
  available: {
    download: { downloadsUsed: 1 },
    revoke: { status: 'revoked' },
    reset: { downloadsUsed: 0 },
    extend: { expiresAt: now + 10_000 },
    extendBackwards: 'not_later',
  },
  last: {
    download: { downloadsUsed: 5 },
    revoke: { status: 'revoked' },
    reset: { downloadsUsed: 0 },
    extend: { expiresAt: now + 10_000 },
    extendBackwards: 'not_later',
  },
  exhausted: {
    download: 'limit_reached',
    revoke: { status: 'revoked' },
    reset: { downloadsUsed: 0 },
    extend: { expiresAt: now + 10_000 },
    extendBackwards: 'not_later',
  },
  expired: {
    download: 'access_expired',
    revoke: { status: 'revoked' },
    reset: { downloadsUsed: 0 },
    extend: { expiresAt: now + 10_000 },
    extendBackwards: 'not_later',
  },
  revoked: { download: 'revoked', revoke: 'revoked', reset: 'revoked', extend: 'revoked', extendBackwards: 'revoked' },
};

describe('download grant transitions', () => {
  const cases = Object.keys(grants).flatMap((g) => Object.keys(events).map((e) => [g, e] as const));
  it.each(cases)('%s grant, %s', (g, e) => {
    const result = applyGrantEvent(grants[g]!, events[e]!, now);
    const want = expected[g]![e]!;
    if (typeof want === 'string') expect(result).toEqual({ ok: false, reason: want });
    else expect(result).toEqual({ ok: true, next: { ...grants[g], ...want } });
  });

  it('judges each grant as the buyer’s page will', () => {
    expect(Object.fromEntries(Object.entries(grants).map(([k, g]) => [k, judgeGrant(g, now)]))).toEqual({
      available: 'available',
      last: 'available',
      exhausted: 'limit_reached',
      expired: 'access_expired',
      revoked: 'revoked',
    });
  });
});
