import { describe, expect, it } from 'vitest';
import type { GrantState } from './download-state.js';
import { decideAccess, mayCreateLink, planRange, type AccessRequest } from './downloads.rules.js';

const etag = '"0123456789abcdef0123456789abcdef"';
const lastModified = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const plan = (range?: string, ifRange?: string, size = 1000) => planRange({ size, range, ifRange, etag, lastModified });

describe('planRange', () => {
  it('serves the whole file without a Range header', () => {
    expect(plan()).toEqual({ kind: 'full' });
  });

  it('serves one range: explicit, open-ended, suffix, clipped to the end', () => {
    expect(plan('bytes=0-99')).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(plan('bytes=500-')).toEqual({ kind: 'partial', start: 500, end: 999 });
    expect(plan('bytes=-100')).toEqual({ kind: 'partial', start: 900, end: 999 });
    expect(plan('bytes=990-5000')).toEqual({ kind: 'partial', start: 990, end: 999 });
    expect(plan('bytes=0-0')).toEqual({ kind: 'partial', start: 0, end: 0 });
  });

  it('combines overlapping ranges into one, and answers several disjoint ranges with the whole file', () => {
    expect(plan('bytes=0-99,50-199')).toEqual({ kind: 'partial', start: 0, end: 199 });
    expect(plan('bytes=0-9,500-509')).toEqual({ kind: 'full' });
  });

  it('is unsatisfiable (416) only when no range overlaps the file', () => {
    expect(plan('bytes=1000-')).toEqual({ kind: 'unsatisfiable' });
    expect(plan('bytes=5000-6000')).toEqual({ kind: 'unsatisfiable' });
    expect(plan('bytes=5000-6000,0-9')).toEqual({ kind: 'partial', start: 0, end: 9 });
  });

  it('ignores malformed headers and other units', () => {
    for (const bad of ['bytes=abc', 'bytes=9-3', 'bytes=', 'items=0-5', 'bytes 0-5', 'bytes=--1', 'bytes=0x10-'])
      expect(plan(bad)).toEqual({ kind: 'full' });
  });

  it('honours Range only while If-Range still matches the file', () => {
    expect(plan('bytes=100-', etag)).toEqual({ kind: 'partial', start: 100, end: 999 });
    expect(plan('bytes=100-', '"something-else"')).toEqual({ kind: 'full' });
    expect(plan('bytes=100-', `W/${etag}`)).toEqual({ kind: 'full' });
    expect(plan('bytes=100-', new Date(lastModified).toUTCString())).toEqual({ kind: 'partial', start: 100, end: 999 });
    expect(plan('bytes=100-', new Date(lastModified + 60_000).toUTCString())).toEqual({ kind: 'full' });
    expect(plan('bytes=100-', 'not a date')).toEqual({ kind: 'full' });
  });

  it('serves an empty file whole whatever the Range', () => {
    expect(plan('bytes=0-', undefined, 0)).toEqual({ kind: 'full' });
  });
});

describe('the counting rule', () => {
  const now = 1_800_000_000_000;
  const grant = (over: Partial<GrantState> = {}): GrantState => ({
    status: 'active',
    downloadsUsed: 0,
    downloadLimit: 5,
    expiresAt: now + 1000,
    ...over,
  });
  const req = (over: Partial<AccessRequest> = {}): AccessRequest => ({ startsAtZero: true, head: false, resumesCounted: false, ...over });

  it('counts a transfer that starts at byte 0 with no counted download in the window', () => {
    expect(decideAccess(grant(), req(), now)).toEqual({ serve: true, count: true });
    expect(decideAccess(grant({ downloadsUsed: 4 }), req(), now)).toEqual({ serve: true, count: true });
  });

  it('does not count the requests of a transfer within the window, even from byte 0 again, even after the last download', () => {
    expect(decideAccess(grant({ downloadsUsed: 1 }), req({ resumesCounted: true }), now)).toEqual({ serve: true, count: false });
    expect(decideAccess(grant({ downloadsUsed: 1 }), req({ resumesCounted: true, startsAtZero: false }), now)).toEqual({
      serve: true,
      count: false,
    });
    expect(decideAccess(grant({ downloadsUsed: 5 }), req({ resumesCounted: true }), now)).toEqual({ serve: true, count: false });
  });

  it('never counts a later range or a HEAD, but refuses them once no download is left', () => {
    expect(decideAccess(grant(), req({ startsAtZero: false }), now)).toEqual({ serve: true, count: false });
    expect(decideAccess(grant(), req({ head: true }), now)).toEqual({ serve: true, count: false });
    expect(decideAccess(grant({ downloadsUsed: 5 }), req({ startsAtZero: false }), now)).toEqual({ serve: false, reason: 'limit_reached' });
    expect(decideAccess(grant({ downloadsUsed: 5 }), req({ head: true }), now)).toEqual({ serve: false, reason: 'limit_reached' });
  });

  it('refuses a new transfer at the limit', () => {
    expect(decideAccess(grant({ downloadsUsed: 5 }), req(), now)).toEqual({ serve: false, reason: 'limit_reached' });
  });

  it('serves nothing of a refunded or expired grant, not even a resumed transfer', () => {
    expect(decideAccess(grant({ status: 'revoked' }), req({ resumesCounted: true }), now)).toEqual({ serve: false, reason: 'revoked' });
    expect(decideAccess(grant({ expiresAt: now }), req({ resumesCounted: true }), now)).toEqual({ serve: false, reason: 'access_expired' });
    expect(decideAccess(grant({ status: 'revoked', downloadsUsed: 5 }), req(), now)).toEqual({ serve: false, reason: 'revoked' });
  });

  it('gives a new link at the limit only to resume within the window', () => {
    expect(mayCreateLink(grant(), false, now)).toBe('available');
    expect(mayCreateLink(grant({ downloadsUsed: 5 }), false, now)).toBe('limit_reached');
    expect(mayCreateLink(grant({ downloadsUsed: 5 }), true, now)).toBe('available');
    expect(mayCreateLink(grant({ status: 'revoked' }), true, now)).toBe('revoked');
    expect(mayCreateLink(grant({ expiresAt: now - 1 }), true, now)).toBe('access_expired');
  });
});
