import { renderMarkdown } from '../platform/markdown.js';

const MAX_ENTRIES = 500;

/**
 * Product descriptions as sanitised HTML, remembered by their Markdown source: rendering and
 * sanitising cost far more than the rest of a product page, and a description rarely changes.
 */
export function createDescriptionRenderer(maxEntries = MAX_ENTRIES, render: (markdown: string) => string = renderMarkdown) {
  const cache = new Map<string, string>();
  return (markdown: string): string => {
    const hit = cache.get(markdown);
    if (hit !== undefined) {
      // Re-insert so the Map's order is least-recently used first.
      cache.delete(markdown);
      cache.set(markdown, hit);
      return hit;
    }
    const html = render(markdown);
    cache.set(markdown, html);
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
    return html;
  };
}
