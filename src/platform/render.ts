import fp from 'fastify-plugin';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/** A full HTML document from a page component; Preact escapes every interpolated value. */
export function renderDocument(page: VNode): string {
  return `<!doctype html>${renderToString(page)}`;
}

/**
 * HTML of a fragment that is kept and reused. renderToString concatenates its result piece by piece,
 * a tree of strings three times the size of the text; slicing flattens it into one string on the V8
 * heap. (A round trip through a Buffer did the same, but left a malloc'd copy behind per render until
 * the next full collection: tens of MB of peak RSS under the benchmark's Zipf loads.)
 */
export function renderKept(fragment: VNode): string {
  return ` ${renderToString(fragment)}`.slice(1);
}

// BEL: no text or attribute Preact renders from our pages holds it, and it passes its escaping as is.
const MARK = '\u0007';

/** A placeholder to render in place of one visitor's part of a page; `fillTemplate` puts it in. */
export const slot = (name: string): string => `${MARK}${name}${MARK}`;

/** A rendered page cut at its slots: text, slot name, text, … */
export type Template = readonly string[];

/** Cuts a page rendered with `slot()` placeholders into a template. */
export function compileTemplate(html: string): Template {
  return html.split(MARK);
}

/** The page with every slot replaced by its value, which must already be HTML (escaped where it is text). */
export function fillTemplate(template: Template, values: Readonly<Record<string, string>>): string {
  let html = template[0]!;
  for (let i = 1; i < template.length; i += 2) html += values[template[i]!]! + template[i + 1]!;
  return html;
}

declare module 'fastify' {
  interface FastifyReply {
    /** Sends a rendered page as HTML. */
    render(page: VNode, status?: number): FastifyReply;
  }
}

export const renderPlugin = fp(async (app) => {
  app.decorateReply('render', function (page: VNode, status?: number) {
    if (status) this.code(status);
    return this.type('text/html; charset=utf-8').send(renderDocument(page));
  });
});
