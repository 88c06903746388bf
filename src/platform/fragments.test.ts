import { describe, expect, it } from 'vitest';
import { createFragmentCache, renderEveryTime } from './fragments.js';

describe('fragment cache', () => {
  it('renders a key asked for once every time, and keeps it from the second request on', () => {
    const fragments = createFragmentCache({ max: 10, maxChars: 1000, idleMs: 1000 });
    let renders = 0;
    const render = () => `<p>${++renders}</p>`;
    expect(fragments.html('card:1@5', render)).toBe('<p>1</p>');
    expect(fragments.html('card:1@5', render)).toBe('<p>2</p>');
    expect(fragments.html('card:1@5', render)).toBe('<p>2</p>');
    // A new update time is a new key: the old HTML is never served for it.
    expect(fragments.html('card:1@6', render)).toBe('<p>3</p>');
    expect(renders).toBe(3);
  });

  it('keeps parts beside strings, each kind under its own keys', () => {
    const fragments = createFragmentCache({ max: 10, maxChars: 1000, idleMs: 1000 });
    for (let i = 0; i < 2; i++) fragments.parts('page', () => ['<a>', '</a>']);
    expect(fragments.parts('page', () => ['other'])).toEqual(['<a>', '</a>']);
    // The same key asked for as a string is a miss, never the parts.
    expect(fragments.html('page', () => 'text')).toBe('text');
  });

  it('is bounded by characters and drops what nobody asked for within the idle time', () => {
    let now = 1_000;
    const fragments = createFragmentCache({ max: 100, maxChars: 10, idleMs: 100, clock: () => now });
    const keep = (key: string, html: string) => {
      fragments.html(key, () => html);
      return fragments.html(key, () => html);
    };
    keep('a', 'aaaaa');
    keep('b', 'bbbbb');
    keep('c', 'ccccc');
    expect(fragments.size).toBe(2);
    now = 1_150;
    keep('d', 'dd');
    expect(fragments.size).toBe(1);
  });

  it('renders every time when it keeps nothing', () => {
    let renders = 0;
    for (let i = 0; i < 3; i++) renderEveryTime.html('k', () => String(++renders));
    expect(renders).toBe(3);
  });
});
