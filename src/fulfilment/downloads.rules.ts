import { combineRanges, parse as parseRange } from 'range-parser';

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
