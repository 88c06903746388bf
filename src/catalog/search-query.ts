import { parseSku } from './sku.js';

/** Longest query we look at; the rest of a pasted essay is ignored. */
export const SEARCH_MAX_CHARS = 200;
export const SEARCH_MAX_TERMS = 10;
const MAX_TERM_CHARS = 40;
// A word: a Unicode letter or digit, then letters, digits or combining marks.
const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu;

/** What a user typed, reduced to what the full-text engines may safely see. */
export interface SearchQuery {
  /** Lower-case words of letters and digits only: no operator, quote or punctuation survives. */
  terms: string[];
  /** The input as a SKU when it has a SKU's shape, matched exactly besides the words. */
  sku: string | null;
}

/** Tokenises user input into at most 10 words (and an exact-SKU candidate); never throws. */
export function parseSearchQuery(raw: string): SearchQuery {
  const text = raw.slice(0, SEARCH_MAX_CHARS).normalize('NFKC').toLowerCase();
  const words = new Set<string>();
  for (const match of text.matchAll(WORD)) {
    words.add(Array.from(match[0]).slice(0, MAX_TERM_CHARS).join(''));
  }
  let terms = [...words];
  // "don't" should not demand a word starting with "t": single characters only count when alone.
  const longer = terms.filter((t) => Array.from(t).length > 1);
  if (longer.length > 0) terms = longer;
  return { terms: terms.slice(0, SEARCH_MAX_TERMS), sku: parseSku(raw.slice(0, SEARCH_MAX_CHARS)) };
}

// A one-character prefix matches nearly every word of the catalog: such a term must match whole.
const isPrefix = (term: string) => term.length > 1 || term.codePointAt(0)! > 0xffff;

/** FTS5 MATCH expression: every word as a quoted prefix, all required ("pix"* AND "pro"*). */
export function sqliteMatchExpression(terms: string[]): string {
  return terms.map((t) => (isPrefix(t) ? `"${t}"*` : `"${t}"`)).join(' AND ');
}

/** PostgreSQL to_tsquery input: every word as a prefix lexeme, all required (pix:* & pro:*). */
export function postgresTsquery(terms: string[]): string {
  return terms.map((t) => (isPrefix(t) ? `${t}:*` : t)).join(' & ');
}
