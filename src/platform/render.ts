import fp from 'fastify-plugin';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/** A full HTML document from a page component; Preact escapes every interpolated value. */
export function renderDocument(page: VNode): string {
  return `<!doctype html>${renderToString(page)}`;
}

/**
 * HTML of a fragment that is kept and reused. renderToString concatenates its result piece by piece,
 * a tree of strings three times the size of the text; this copies it into one flat string.
 */
export function renderKept(fragment: VNode): string {
  return Buffer.from(renderToString(fragment)).toString();
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
