import { describe, expect, it } from 'vitest';
import { createCache } from '../platform/cache.js';
import { createDescriptionRenderer } from './description.js';

describe('description renderer', () => {
  it('renders sanitised Markdown and reuses it', () => {
    const render = createDescriptionRenderer(createCache({ max: 2 }));
    const html = render('**Fast** <script>alert(1)</script>');
    expect(html).toContain('<strong>Fast</strong>');
    expect(html).not.toContain('script');
    expect(render('**Fast** <script>alert(1)</script>')).toBe(html);
  });

  it('forgets the least recently used entry beyond its size', () => {
    const rendered: string[] = [];
    const render = createDescriptionRenderer(createCache({ max: 2 }), (md) => (rendered.push(md), md.toUpperCase()));
    for (const md of ['a', 'b', 'a', 'c', 'a', 'b']) render(md);
    // 'b' was least recently used when 'c' arrived, so only it is rendered twice.
    expect(rendered).toEqual(['a', 'b', 'c', 'b']);
  });
});
