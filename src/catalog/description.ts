import type { Cache } from '../platform/cache.js';
import { renderMarkdown } from '../platform/markdown.js';

/**
 * Product descriptions as sanitised HTML, remembered by their Markdown source: rendering and
 * sanitising cost far more than the rest of a product page, and a description rarely changes.
 */
export function createDescriptionRenderer(cache: Cache<string, string>, render: (markdown: string) => string = renderMarkdown) {
  return (markdown: string): string => cache.get(markdown) ?? cache.set(markdown, render(markdown));
}
