import { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { pino } from 'pino';
import type { Config } from './config.js';

/** Where log lines go instead of stdout (tests read them). */
export interface LogStream {
  write(line: string): void;
}

/**
 * pino options: JSON in production, readable lines on a developer's terminal; secrets redacted.
 * Outside tests, lines are written asynchronously: a synchronous write per line cost a busy store
 * some 15% of its CPU, and pino still flushes what is buffered when the process exits.
 */
export function loggerOptions(config: Config, stream?: LogStream): FastifyServerOptions['logger'] {
  const pretty = !stream && !config.production && config.env !== 'test' && process.stdout.isTTY;
  return {
    level: config.logLevel,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
    ...(stream ? { stream } : !pretty && config.env !== 'test' ? { stream: pino.destination({ dest: 1, sync: false }) } : {}),
  };
}

/** Which answered requests get a line. */
export interface RequestLogOptions {
  /** A line for every request; otherwise only for errors, 4xx and 5xx answers and slow requests (the proxy keeps the access log). */
  everyRequest: boolean;
  /** A request that took at least this long always gets its line. */
  slowMs: number;
}

/** Every request in development and tests; in production only what needs a look, unless LOG_LEVEL is debug or trace. */
export function requestLogOptions(config: Config): RequestLogOptions {
  return { everyRequest: !config.production || config.logLevel === 'debug' || config.logLevel === 'trace', slowMs: 1000 };
}

/**
 * One line per request, when it is answered, instead of Fastify's two: request id, method, URL,
 * route pattern, status and milliseconds taken. Handlers add order ids and the like to lines of their own.
 * In production a quick successful request gets none: the line cost about a tenth of the CPU of a
 * page answered from the page cache (docs/PERFORMANCE.md), and the proxy in front logs every request.
 */
export class RequestLogController extends LogController {
  constructor(private readonly options: RequestLogOptions = { everyRequest: true, slowMs: 1000 }) {
    super();
  }

  override incomingRequest() {}

  override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply) {
    if (!error && !this.options.everyRequest && reply.statusCode < 400 && reply.elapsedTime < this.options.slowMs) return;
    const line = {
      method: request.method,
      url: request.url,
      route: request.routeOptions.url,
      statusCode: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
