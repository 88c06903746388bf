import { stat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cache } from '../platform/cache.js';
import { NotFoundError } from '../platform/errors.js';
import { renderMarkdown } from '../platform/markdown.js';

export const contentPages = ['privacy-policy', 'terms-and-conditions', 'about'] as const;
export type ContentPage = (typeof contentPages)[number];

export interface RenderedContent {
  title: string;
  html: string;
}
/** A page as rendered from its file at that modification time. */
export interface KeptContent {
  mtimeMs: number;
  content: RenderedContent;
}

/** Owner-edited Markdown pages under the content directory, re-rendered only when a file changes. */
export function createContentService({ contentDir, cache }: { contentDir: string; cache: Cache<ContentPage, KeptContent> }) {
  return {
    /** The rendered page; its title is the file's first `# ` heading. */
    async renderPage(name: ContentPage): Promise<RenderedContent> {
      const path = join(contentDir, `${name}.md`);
      const info = await stat(path).catch(() => null);
      if (!info) throw new NotFoundError();
      const cached = cache.get(name);
      if (cached && cached.mtimeMs === info.mtimeMs) return cached.content;
      const source = await readFile(path, 'utf8');
      const heading = /^#\s+(.+)$/m.exec(source);
      const content = { title: heading?.[1]?.trim() ?? name, html: renderMarkdown(source) };
      cache.set(name, { mtimeMs: info.mtimeMs, content });
      return content;
    },
  };
}

export type ContentService = ReturnType<typeof createContentService>;
