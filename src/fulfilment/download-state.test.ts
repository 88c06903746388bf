import { describe, expect, it } from 'vitest';
import {
  applyGrantEvent,
  applyTransferEvent,
  judgeGrant,
  claimBlock,
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
  const fetch = (claim: number, over: Partial<Extract<TransferEvent, { type: 'fetch' }>> = {}): TransferEvent => ({
    type: 'fetch',
    claim,
    head: false,
    ip: '203.0.113.7',
    linkExpired: false,
    ...over,
  });
  const budget = size + allowance;

  // Every combination the rule distinguishes: the grant, GET or HEAD, the link's own expiry, whether
  // the link has counted, from the same address, within the window, and how full the pass is: room
  // for the claim, a whole copy sent already, or a claim past one copy plus the allowance.
  const fills = ['room', 'copy', 'over'] as const;
  const cases = Object.keys(grants).flatMap((g) =>
    [false, true].flatMap((head) =>
      [false, true].flatMap((linkExpired) =>
        [false, true].flatMap((started) =>
          [false, true].flatMap((sameIp) =>
            [false, true].flatMap((inWindow) => fills.map((fill) => ({ g, head, linkExpired, started, sameIp, inWindow, fill }))),
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
      [resumes && c.fill === 'room', 'free'],
      [c.linkExpired, 'link_expired'],
      [verdict === 'available', 'count'],
      [true, verdict],
    ];
    return rows.find(([when]) => when)![1];
  }

  it.each(cases)('%o', (c) => {
    const sent = c.fill === 'copy' ? size : 3000;
    const claim = c.head ? 0 : { room: budget - sent, copy: 1, over: budget - sent + 1 }[c.fill];
    const t: TransferState = c.started
      ? { downloads: 2, ip: c.sameIp ? '203.0.113.7' : '198.51.100.1', activeAt: c.inWindow ? now - windowMs + 1 : now - windowMs, sent }
      : NEW_TRANSFER;
    const result = applyTransferEvent(t, fetch(claim, { head: c.head, linkExpired: c.linkExpired }), ctx(grants[c.g]!));
    const want = expectedOf(c);
    if (want === 'free') expect(result).toEqual({ ok: true, count: false, next: c.head ? t : { ...t, activeAt: now, sent: sent + claim } });
    else if (want === 'count')
      expect(result).toEqual({
        ok: true,
        count: true,
        next: { downloads: t.downloads + 1, ip: '203.0.113.7', activeAt: now, sent: claim },
      });
    else expect(result).toEqual({ ok: false, reason: want });
  });

  // A running response's claims: every grant, of the pass it started in or not, fitting or not.
  const claimCases = Object.keys(grants).flatMap((g) =>
    [false, true].flatMap((samePass) => [false, true].map((fits) => ({ g, samePass, fits }))),
  );
  it.each(claimCases)('claim %o', ({ g, samePass, fits }) => {
    const t: TransferState = { downloads: 2, ip: 'a', activeAt: now - 1000, sent: 3000 };
    const bytes = budget - 3000 + (fits ? 0 : 1);
    const result = applyTransferEvent(t, { type: 'claim', pass: samePass ? 2 : 1, bytes }, ctx(grants[g]!));
    const verdict = judgeGrant(grants[g]!, now);
    if (verdict === 'revoked' || verdict === 'access_expired') expect(result).toEqual({ ok: false, reason: verdict });
    else if (!samePass || !fits) expect(result).toEqual({ ok: false, reason: 'exhausted' });
    else expect(result).toEqual({ ok: true, count: false, next: { ...t, activeAt: now, sent: budget } });
  });

  it('gives back unsent bytes of the current pass only, never below zero', () => {
    const t: TransferState = { downloads: 3, ip: 'a', activeAt: now, sent: 5000 };
    const settle = (pass: number, unsent: number) => applyTransferEvent(t, { type: 'settle', pass, unsent }, ctx(grants.revoked!));
    expect(settle(3, 1200)).toEqual({ ok: true, count: false, next: { ...t, sent: 3800 } });
    expect(settle(3, 9000)).toEqual({ ok: true, count: false, next: { ...t, sent: 0 } });
    expect(settle(2, 1200)).toEqual({ ok: true, count: false, next: t });
  });

  it('has an allowance of an eighth of the file (at most 16 MiB), and claims blocks of a sixty-fourth (64 KiB to 4 MiB)', () => {
    expect([0, 7, 8, 8000, 2 ** 30].map(resumeAllowance)).toEqual([0, 0, 1, 1000, 16 * 1024 * 1024]);
    expect([0, 8000, 2 ** 24, 2 ** 30].map(claimBlock)).toEqual([65536, 65536, 262144, 4 * 1024 * 1024]);
  });

  /** Runs whole responses of [start, end] ranges on one link, one after the other; returns how many were counted. */
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

  /** Responses that claim `block` bytes at a time as they send; `step` moves each by one block, or ends it. */
  function streams(g = grant({ downloadLimit: 100 }), block = 100) {
    let t = NEW_TRANSFER;
    let counted = 0;
    let sent = 0;
    const open = (start: number, end = size - 1, ip = 'a') => {
      const first = Math.min(block, end - start + 1);
      const r = applyTransferEvent(t, fetch(first, { ip }), ctx(g));
      if (!r.ok) return null;
      if (r.count) {
        counted++;
        g = { ...g, downloadsUsed: g.downloadsUsed + 1 };
      }
      t = r.next;
      return { pos: start, end, claimed: first, passed: 0, pass: t.downloads, done: false };
    };
    type Response = NonNullable<ReturnType<typeof open>>;
    /** Sends the response's next block (claiming it first); false once it is cut off or complete. */
    const step = (res: Response): boolean => {
      if (res.done) return false;
      const chunk = Math.min(block, res.end - res.pos + 1);
      if (res.passed + chunk > res.claimed) {
        const r = applyTransferEvent(t, { type: 'claim', pass: res.pass, bytes: block }, ctx(g));
        if (!r.ok) return (close(res), false);
        t = r.next;
        res.claimed += block;
      }
      res.passed += chunk;
      res.pos += chunk;
      sent += chunk;
      if (res.pos > res.end) return (close(res), false);
      return true;
    };
    const close = (res: Response) => {
      res.done = true;
      const r = applyTransferEvent(t, { type: 'settle', pass: res.pass, unsent: res.claimed - res.passed }, ctx(g));
      if (r.ok) t = r.next;
    };
    return { open, step, close, counted: () => counted, sent: () => sent };
  }

  it('charges a download manager’s open ranges only for what they send: one download', () => {
    // One connection asks for the whole file, three more for later segments (bytes=N-); each
    // connection is closed where the next segment begins.
    const s = streams();
    const responses = [0, 2000, 4000, 6000].map((start) => s.open(start)!);
    const stops = [2000, 4000, 6000, size];
    let moving = true;
    while (moving) {
      moving = false;
      for (const [i, res] of responses.entries()) {
        if (res.done) continue;
        if (res.pos >= stops[i]!) s.close(res);
        else moving = s.step(res) || moving;
      }
    }
    expect(responses.map((r) => r.passed)).toEqual([2000, 2000, 2000, 2000]);
    expect(s.counted()).toBe(1);
  });

  it('cuts off parallel whole copies on one link once one copy and the allowance have been sent', () => {
    const s = streams();
    const a = s.open(0)!;
    const b = s.open(0)!;
    while ([s.step(a), s.step(b)].some(Boolean));
    expect(s.counted()).toBe(1);
    expect(a.passed + b.passed).toBeLessThanOrEqual(budget);
    expect([a.passed, b.passed].every((p) => p < size)).toBe(true);
  });

  it('holds the limit against any sequence: bytes sent never exceed the counted downloads’ copies plus allowance', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const s = streams(grant({ downloadLimit: 3 }), 100 + random(900));
      const running: NonNullable<ReturnType<typeof s.open>>[] = [];
      for (let i = 0; i < 60; i++) {
        const roll = random(10);
        if (roll < 3 || running.length === 0) {
          const start = random(size);
          const res = s.open(start, start + random(size - start), random(5) === 0 ? 'b' : 'a');
          if (res) running.push(res);
        } else if (roll === 3)
          s.close(running.splice(random(running.length), 1)[0]!); // the client went away
        else {
          const res = running[random(running.length)]!;
          if (!s.step(res)) running.splice(running.indexOf(res), 1);
        }
        expect(s.sent()).toBeLessThanOrEqual(s.counted() * budget);
        expect(s.counted()).toBeLessThanOrEqual(3);
      }
    }
  });
});
