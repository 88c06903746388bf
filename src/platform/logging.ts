import type { FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';

/** pino options: JSON in production, readable lines on a developer's terminal; secrets redacted. */
export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  const pretty = !config.production && config.env !== 'test' && process.stdout.isTTY;
  return {
    level: config.logLevel,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
  };
}
