import { describe, expect, it } from 'vitest';
import {
  applyGrantEvent,
  applyTransferEvent,
  judgeGrant,
  NEW_TRANSFER,
  resumeAllowance,
  type GrantEvent,
  type GrantState,
  type TransferEvent,
  type TransferState,
} from './download-state.js';

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

describe('transfer transitions', () => {
  const size = 8000;
  const allowance = resumeAllowance(size); // 1000
  const windowMs = 30 * 60_000;
  const ctx = (g: GrantState) => ({ grant: g, size, windowMs, now });
  const fetch = (bytes: number, over: Partial<Extract<TransferEvent, { type: 'fetch' }>> = {}): TransferEvent => ({
    type: 'fetch',
    bytes,
    head: false,
    ip: '203.0.113.7',
    linkExpired: false,
    ...over,
  });

  // Every combination the rule distinguishes: the grant, GET or HEAD, the link's own expiry, whether
  // the link has counted, from the same address, within the window, and whether the bytes still fit.
  const cases = Object.keys(grants).flatMap((g) =>
    [false, true].flatMap((head) =>
      [false, true].flatMap((linkExpired) =>
        [false, true].flatMap((started) =>
          [false, true].flatMap((sameIp) =>
            [false, true].flatMap((inWindow) => [false, true].map((fits) => ({ g, head, linkExpired, started, sameIp, inWindow, fits }))),
          ),
        ),
      ),
    ),
  );
  /** The rule written as a table: the first matching row decides. */
  function expectedOf(c: (typeof cases)[number]): string {
    const verdict = judgeGrant(grants[c.g]!, now);
    const resumes = c.started && c.sameIp && c.inWindow;
    const rows: [boolean, string][] = [
      [verdict === 'revoked' || verdict === 'access_expired', verdict],
      [c.head && resumes, 'free'],
      [c.head && c.linkExpired, 'link_expired'],
      [c.head, verdict === 'available' ? 'free' : verdict],
      [resumes && c.fits, 'free'],
      [c.linkExpired, 'link_expired'],
      [verdict === 'available', 'count'],
      [true, verdict],
    ];
    return rows.find(([when]) => when)![1];
  }

  it.each(cases)('%o', (c) => {
    const sent = 3000;
    const bytes = c.head ? 0 : c.fits ? size + allowance - sent : size + allowance - sent + 1;
    const t: TransferState = c.started
      ? { downloads: 2, ip: c.sameIp ? '203.0.113.7' : '198.51.100.1', activeAt: c.inWindow ? now - windowMs + 1 : now - windowMs, sent }
      : NEW_TRANSFER;
    const result = applyTransferEvent(t, fetch(bytes, { head: c.head, linkExpired: c.linkExpired }), ctx(grants[c.g]!));
    const want = expectedOf(c);
    if (want === 'free') expect(result).toEqual({ ok: true, count: false, next: c.head ? t : { ...t, activeAt: now, sent: sent + bytes } });
    else if (want === 'count')
      expect(result).toEqual({
        ok: true,
        count: true,
        next: { downloads: t.downloads + 1, ip: '203.0.113.7', activeAt: now, sent: bytes },
      });
    else expect(result).toEqual({ ok: false, reason: want });
  });

  it('gives back unsent bytes of the current pass only, never below zero', () => {
    const t: TransferState = { downloads: 3, ip: 'a', activeAt: now, sent: 5000 };
    const settle = (pass: number, unsent: number) => applyTransferEvent(t, { type: 'settle', pass, unsent }, ctx(grants.revoked!));
    expect(settle(3, 1200)).toEqual({ ok: true, count: false, next: { ...t, sent: 3800 } });
    expect(settle(3, 9000)).toEqual({ ok: true, count: false, next: { ...t, sent: 0 } });
    expect(settle(2, 1200)).toEqual({ ok: true, count: false, next: t });
  });

  it('has an allowance of an eighth of the file, at most 16 MiB', () => {
    expect([0, 7, 8, 8000, 2 ** 30].map(resumeAllowance)).toEqual([0, 0, 1, 1000, 16 * 1024 * 1024]);
  });

  /** Runs fetches of [start, end] ranges on one link; returns how many were counted. */
  function run(ranges: [number, number][], ip = () => '203.0.113.7', g = grant({ downloadLimit: 100 })) {
    let t = NEW_TRANSFER;
    let counted = 0;
    for (const [i, [start, end]] of ranges.entries()) {
      const r = applyTransferEvent(t, fetch(end - start + 1, { ip: ip() }), { ...ctx(g), now: now + i });
      if (!r.ok) throw new Error(r.reason);
      if (r.count) counted++;
      t = r.next;
    }
    return counted;
  }

  it('counts each copy of the file however it is asked for', () => {
    const tenTimes = (x: [number, number]) => Array.from({ length: 10 }, () => x);
    expect(run(tenTimes([1, size - 1]))).toBe(10); // bytes=1-
    expect(run(tenTimes([1000, size - 1]))).toBe(10); // bytes=-7000: 7000 + 7000 > 9000
    expect(run(tenTimes([0, size - 1]))).toBe(10);
    // bytes=0-0,1- (combined into one range), then the same again
    expect(
      run([
        [0, size - 1],
        [0, size - 1],
      ]),
    ).toBe(2);
    // many small ranges: 100-byte pieces, twice over the file
    const pieces = Array.from({ length: 160 }, (_, i) => [(i % 80) * 100, (i % 80) * 100 + 99] as [number, number]);
    expect(run(pieces)).toBe(2);
    // overlapping ranges: an overlap up to the allowance is free, more is another download
    expect(
      run([
        [0, 4999],
        [4000, 7999],
      ]),
    ).toBe(1);
    expect(
      run([
        [0, 4999],
        [3000, 7999],
        [0, 7999],
      ]),
    ).toBe(3);
    // another address on the same link is another download
    let n = 0;
    expect(run(tenTimes([0, size - 1]).slice(0, 2), () => (n++ % 2 ? 'b' : 'a'))).toBe(2);
  });

  it('does not count a download manager’s parallel ranges, nor a resume after the connection dropped', () => {
    const chunks = Array.from({ length: 8 }, (_, i) => [i * 1000, i * 1000 + 999] as [number, number]);
    expect(run(chunks)).toBe(1);

    const g = grant({ downloadsUsed: 4 }); // the last download: the resume must not need another
    const first = applyTransferEvent(NEW_TRANSFER, fetch(size), ctx(g));
    expect(first).toMatchObject({ ok: true, count: true });
    const dropped = applyTransferEvent(first.ok ? first.next : NEW_TRANSFER, { type: 'settle', pass: 1, unsent: 5000 }, ctx(g));
    // 3000 bytes left the store; the client got 2500 of them and resumes from there
    const resumed = applyTransferEvent(dropped.ok ? dropped.next : NEW_TRANSFER, fetch(size - 2500), { ...ctx(g), now: now + 500 });
    expect(resumed).toEqual({ ok: true, count: false, next: { downloads: 1, ip: '203.0.113.7', activeAt: now + 500, sent: 8500 } });
  });

  it('holds the limit against any sequence: bytes sent never exceed the counted downloads’ copies plus allowance', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let run = 0; run < 300; run++) {
      let t = NEW_TRANSFER;
      let g = grant({ downloadLimit: 3 });
      let served = 0;
      for (let step = 0; step < 40; step++) {
        const start = random(size);
        const end = start + random(size - start);
        const head = random(10) === 0;
        const bytes = head ? 0 : random(4) === 0 ? size : end - start + 1;
        const at = now + step * random(20) * 60_000;
        const r = applyTransferEvent(t, fetch(bytes, { ip: random(5) === 0 ? 'b' : 'a', head }), { ...ctx(g), now: at });
        if (!r.ok) continue;
        if (r.count) g = { ...g, downloadsUsed: g.downloadsUsed + 1 };
        // Sometimes the client goes away: part of the reserved bytes were never sent.
        const unsent = random(3) === 0 ? random(bytes + 1) : 0;
        const settled = applyTransferEvent(r.next, { type: 'settle', pass: r.next.downloads, unsent }, ctx(g));
        t = settled.ok ? settled.next : r.next;
        served += bytes - unsent;
        expect(served).toBeLessThanOrEqual(g.downloadsUsed * (size + allowance));
      }
      expect(g.downloadsUsed).toBeLessThanOrEqual(3);
    }
  });
});
