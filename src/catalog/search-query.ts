import { parseSku } from './sku.js';

/** Longest query we look at; the rest of a pasted essay is ignored. */
export const SEARCH_MAX_CHARS = 200;
export const SEARCH_MAX_TERMS = 10;
const MAX_TERM_CHARS = 40;
// A word: a Unicode letter or digit, then letters, digits or combining marks.
const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu;

/** Lower-case without accents ("CAFÉ" and "café" are "cafe"), as the search indexes store words. */
export function foldText(text: string): string {
  // Only the accents of Latin, Greek and Cyrillic letters: other scripts' marks are their vowels.
  return text
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC');
}

/** Shortest word a typo is matched against: shorter ones are too alike ("font", "fond", "food"). */
export const TYPO_MIN_CHARS = 5;

/** The distinct folded words of some texts worth matching typos against (3 characters or more, not all digits). */
export function wordsOf(texts: readonly string[]): string[] {
  const words = new Set<string>();
  for (const text of texts)
    for (const match of foldText(text).matchAll(WORD)) {
      const word = Array.from(match[0]).slice(0, MAX_TERM_CHARS).join('');
      // Numbers (SKU digits, versions) are never typos worth correcting, and would outnumber the words.
      if (Array.from(word).length >= 3 && /\p{L}/u.test(word)) words.add(word);
    }
  return [...words];
}

/** A word's trigrams with its ends marked ("cafe": ^ca, caf, afe, fe$), as search_word_trigrams keeps them. */
export function trigramsOf(word: string): string[] {
  const chars = Array.from(`^${word}$`);
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) grams.add(chars.slice(i, i + 3).join(''));
  return [...grams];
}

/** Edits (insert, delete, replace, swap two neighbours) from a to b, or max + 1 once over max. */
export function editDistance(a: string, b: string, max: number): number {
  const x = Array.from(a);
  const y = Array.from(b);
  if (Math.abs(x.length - y.length) > max) return max + 1;
  let before: number[] = [];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
      best = Math.min(best, d);
    }
    if (best > max) return max + 1;
    before = prev;
    prev = row;
  }
  return prev[y.length]!;
}

/**
 * The known word a mistyped term most likely meant, or null: none for short terms, at most one edit
 * up to 7 characters and two for longer ones; ties go to the candidate listed first (most alike).
 */
export function closestWord(term: string, candidates: readonly string[]): string | null {
  const length = Array.from(term).length;
  if (length < TYPO_MIN_CHARS) return null;
  const max = length < 8 ? 1 : 2;
  let best: string | null = null;
  let bestDistance = max + 1;
  for (const word of candidates) {
    if (Array.from(word).length < TYPO_MIN_CHARS) continue;
    const d = editDistance(term, word, max);
    if (d > 0 && d < bestDistance) [best, bestDistance] = [word, d];
  }
  return best;
}

/** What a user typed, reduced to what the full-text engines may safely see. */
export interface SearchQuery {
  /** Lower-case words of letters and digits only: no operator, quote or punctuation survives. */
  terms: string[];
  /** The input as a SKU when it has a SKU's shape, matched exactly besides the words. */
  sku: string | null;
}

/** Tokenises user input into at most 10 words (and an exact-SKU candidate); never throws. */
export function parseSearchQuery(raw: string): SearchQuery {
  const text = foldText(raw.slice(0, SEARCH_MAX_CHARS));
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
