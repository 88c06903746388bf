import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { databaseUnavailable } from './db/db.js';
import { AppError } from './errors.js';

export interface HttpError {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Renders the HTML page for an error outside /api (the pages domain supplies the site layout). */
export type HtmlErrorRenderer = (request: FastifyRequest, error: HttpError) => Promise<string> | string;

const frameworkCodes: Record<number, [string, string]> = {
  400: ['bad_request', 'The request could not be understood.'],
  404: ['not_found', 'We could not find that page.'],
  405: ['method_not_allowed', 'That action is not allowed here.'],
  406: ['not_acceptable', 'That format is not available.'],
  408: ['request_timeout', 'The request took too long to arrive.'],
  413: ['payload_too_large', 'The request is too large.'],
  415: ['unsupported_media_type', 'That content type is not accepted here.'],
  429: ['rate_limited', 'Too many requests. Please wait a moment and try again.'],
};

/** Maps any thrown error to what a user may see; a 5xx never shows its internals. */
export function toHttpError(error: unknown): HttpError {
  const known = error instanceof AppError ? error : databaseUnavailable(error);
  if (known) return { status: known.status, code: known.code, message: known.message, details: known.details };
  const e = error as Partial<FastifyError>;
  if (e.validation) {
    const fields = e.validation.map((v) => {
      const missing: unknown = v.params?.missingProperty;
      const field = v.instancePath || (typeof missing === 'string' ? missing : '');
      return `${field.replace(/^\//, '')} ${v.message ?? ''}`.trim();
    });
    return { status: 400, code: 'invalid_input', message: `Invalid input: ${fields.join('; ')}` };
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    const [code, message] = frameworkCodes[status] ?? ['bad_request', 'The request could not be processed.'];
    return { status, code, message };
  }
  return { status: 500, code: 'internal_error', message: 'Something went wrong on our side. Please try again later.' };
}

/** JSON answers go to /api and clients that asked only for JSON; everyone else gets a page. */
export function wantsJson(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '';
  return path === '/api' || path.startsWith('/api/');
}

async function send(request: FastifyRequest, reply: FastifyReply, error: HttpError, render: HtmlErrorRenderer) {
  // No error is worth caching, and every 404 must look alike (an owner-only page answers as unknown).
  reply.code(error.status).header('cache-control', 'private, no-store');
  if (error.code === 'database_unavailable') reply.header('retry-after', '5');
  if (wantsJson(request)) {
    return reply.send({ error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } });
  }
  return reply.type('text/html; charset=utf-8').send(await render(request, error));
}

/** One error handler and one not-found handler for the whole app. */
export function installErrorHandlers(app: FastifyInstance, render: HtmlErrorRenderer) {
  app.setErrorHandler(async (error, request, reply) => {
    const httpError = toHttpError(error);
    // An outage fails every request alike: one short line each, not a stack trace each.
    if (httpError.code === 'database_unavailable')
      request.log.warn({ code: httpError.code, reason: error instanceof Error ? error.message : String(error) }, 'database unavailable');
    else if (httpError.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: httpError.code, status: httpError.status }, 'request refused');
    return send(request, reply, httpError, render);
  });
  app.setNotFoundHandler(async (request, reply) => {
    const [code, message] = frameworkCodes[404]!;
    return send(request, reply, { status: 404, code, message }, render);
  });
}
