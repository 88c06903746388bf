import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.js';

describe('renderMarkdown', () => {
  it('renders formatting, lists and links', () => {
    const html = renderMarkdown('# Title\n\n**bold** and [docs](https://example.com)\n\n- one\n- two');
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<a href="https://example.com" rel="nofollow noopener noreferrer">docs</a>');
    expect(html).toContain('<li>one</li>');
  });

  it('removes scripts, event handlers, javascript: links and iframes', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script>\n\n<img src="https://x/y.png" onerror="alert(2)">\n\n[x](javascript:alert(3))\n\n<iframe src="https://evil"></iframe>',
    );
    expect(html).not.toMatch(/script|onerror|javascript:|iframe/i);
  });
});
