import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { RequestLogController } from './logging.js';

/** The lines a controller writes for answers of these statuses and times. */
function linesFor(controller: RequestLogController, answers: Array<{ status: number; ms: number; error?: Error }>) {
  const lines: string[] = [];
  for (const { status, ms, error } of answers) {
    const reply = {
      statusCode: status,
      elapsedTime: ms,
      log: {
        info: (_: unknown, msg: string) => lines.push(`info ${status} ${msg}`),
        error: (_: unknown, msg: string) => lines.push(`error ${status} ${msg}`),
      },
    } as unknown as FastifyReply;
    const request = { method: 'GET', url: '/x', routeOptions: { url: '/x' } } as unknown as FastifyRequest;
    controller.requestCompleted(error ?? null, request, reply);
  }
  return lines;
}

describe('RequestLogController', () => {
  const answers = [
    { status: 200, ms: 2 },
    { status: 304, ms: 1 },
    { status: 404, ms: 3 },
    { status: 200, ms: 1500 },
    { status: 500, ms: 4, error: new Error('boom') },
  ];

  it('writes a line for every request when asked (development, tests, LOG_LEVEL=debug)', () => {
    expect(linesFor(new RequestLogController({ everyRequest: true, slowMs: 1000 }), answers)).toHaveLength(5);
  });

  it('leaves quick successful requests to the proxy in production, and still logs errors, 4xx and slow requests', () => {
    expect(linesFor(new RequestLogController({ everyRequest: false, slowMs: 1000 }), answers)).toEqual([
      'info 404 request completed',
      'info 200 request completed',
      'error 500 request errored',
    ]);
  });
});
