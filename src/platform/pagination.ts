/** Where a page sits in a list: the numbers a page needs to query and to render its links. */
export interface Pagination {
  page: number;
  pageSize: number;
  total: number;
  /** At least 1: an empty list still has one (empty) page. */
  pageCount: number;
  offset: number;
  hasPrev: boolean;
  hasNext: boolean;
}

// Larger than any real list; keeps offsets far from unsafe integers.
const MAX_PAGE = 1_000_000;

/** A `?page=` value as a page number: absent → 1; anything but a whole number ≥ 1 → null. */
export function parsePageParam(raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return 1;
  if (!/^\d+$/.test(raw)) return null;
  const digits = raw.replace(/^0+/, '');
  if (digits === '') return null;
  return digits.length > 7 ? MAX_PAGE : Math.min(Number(digits), MAX_PAGE);
}

/** Page count, offset and neighbours for `page` of `total` items. */
export function paginate(total: number, page: number, pageSize: number): Pagination {
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  return { page, pageSize, total, pageCount, offset: (page - 1) * pageSize, hasPrev: page > 1, hasNext: page < pageCount };
}

/** The page clamped into 1..pageCount. */
export function clampPage(page: number, pageCount: number): number {
  return Math.min(Math.max(1, Math.trunc(page) || 1), Math.max(1, pageCount));
}

/**
 * Page numbers to link: always the first and last, `radius` pages either side of the current one,
 * and `'gap'` where numbers are left out (1 … 4 5 [6] 7 8 … 20). A gap never hides a single page.
 */
export function pageWindow(page: number, pageCount: number, radius = 2): (number | 'gap')[] {
  const current = clampPage(page, pageCount);
  let from = Math.max(1, current - radius);
  let to = Math.min(pageCount, current + radius);
  if (from <= 3) from = 1;
  if (to >= pageCount - 2) to = pageCount;
  const out: (number | 'gap')[] = [];
  if (from > 1) out.push(1, 'gap');
  for (let n = from; n <= to; n++) out.push(n);
  if (to < pageCount) out.push('gap', pageCount);
  return out;
}
