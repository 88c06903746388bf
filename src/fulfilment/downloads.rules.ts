import { combineRanges, parse as parseRange } from 'range-parser';
import { applyGrantEvent, judgeGrant, type GrantState, type GrantVerdict } from './download-state.js';

/** What to send for a request's Range (RFC 9110 §14): all of it, one part, or 416. */
export type RangePlan = { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

export interface RangeRequest {
  size: number;
  /** the Range header */
  range?: string;
  /** the If-Range header: an ETag or an HTTP date */
  ifRange?: string;
  etag: string;
  /** epoch ms */
  lastModified: number;
}

/**
 * Parses Range with `range-parser` (the parser of send/express). One range is served as 206;
 * a malformed header, another unit, several ranges, or an If-Range that does not match the file
 * as it is now are answered with the whole file (all allowed by RFC 9110); a range wholly past
 * the end is 416.
 */
export function planRange({ size, range, ifRange, etag, lastModified }: RangeRequest): RangePlan {
  if (!range || size === 0) return { kind: 'full' };
  if (ifRange !== undefined && !ifRangeMatches(ifRange, etag, lastModified)) return { kind: 'full' };
  const parsed = parseRange(size, range);
  if (parsed.type !== 'bytes' || parsed.code & 1) return { kind: 'full' };
  if (parsed.ranges.length === 0) return { kind: 'unsatisfiable' };
  const ranges = combineRanges(parsed.ranges);
  if (ranges.length !== 1) return { kind: 'full' };
  return { kind: 'partial', start: ranges[0]!.start, end: ranges[0]!.end };
}

/** If-Range holds a strong ETag compared exactly, or a date that must equal Last-Modified (to the second). */
function ifRangeMatches(ifRange: string, etag: string, lastModified: number): boolean {
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === etag;
  const date = Date.parse(value);
  return Number.isFinite(date) && Math.floor(date / 1000) === Math.floor(lastModified / 1000);
}

export interface AccessRequest {
  /** no Range, or a range from byte 0: the start of a transfer */
  startsAtZero: boolean;
  /** HEAD: headers only, nothing transferred */
  head: boolean;
  /** a counted download of the same grant and file happened within the resume window */
  resumesCounted: boolean;
}

export type AccessDecision = { serve: true; count: boolean } | { serve: false; reason: Exclude<GrantVerdict, 'available'> };

/**
 * The counting rule. A refunded or expired grant serves nothing. Within the resume window after a
 * counted download of the same grant and file, every request (any range, even from byte 0 again)
 * belongs to that transfer: served, not counted, even if it was the last download allowed. Outside
 * it, a request from byte 0 is a new download and is counted (refused at the limit); a request for
 * a later range or a HEAD is served uncounted while the grant still has downloads left.
 */
export function decideAccess(grant: GrantState, request: AccessRequest, now: number): AccessDecision {
  const verdict = judgeGrant(grant, now);
  if (verdict === 'revoked' || verdict === 'access_expired') return { serve: false, reason: verdict };
  if (request.resumesCounted) return { serve: true, count: false };
  if (request.head || !request.startsAtZero)
    return verdict === 'available' ? { serve: true, count: false } : { serve: false, reason: verdict };
  const next = applyGrantEvent(grant, { type: 'download' }, now);
  return next.ok ? { serve: true, count: true } : { serve: false, reason: next.reason as Exclude<GrantVerdict, 'available'> };
}

/** A new link is given while the grant is available, or at its limit to resume the last download within the window. */
export function mayCreateLink(grant: GrantState, resumesCounted: boolean, now: number): GrantVerdict {
  const verdict = judgeGrant(grant, now);
  return verdict === 'limit_reached' && resumesCounted ? 'available' : verdict;
}
