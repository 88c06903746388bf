// English is the only language of the store's pages; the rules object is built once.
const rules = new Intl.PluralRules('en-GB');

/** The word for `n` things by the language's plural rules, without the number: `pluralWord(1, { one: 'item', other: 'items' })` is 'item'. */
export function pluralWord(n: number, forms: { one: string; other: string }): string {
  return rules.select(n) === 'one' ? forms.one : forms.other;
}

/** `n` and the word for it: `plural(3, { one: 'item', other: 'items' })` is '3 items'. */
export function plural(n: number, forms: { one: string; other: string }): string {
  return `${n} ${pluralWord(n, forms)}`;
}
