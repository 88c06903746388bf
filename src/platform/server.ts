import { randomUUID } from 'node:crypto';
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import type { Config } from './config.js';
import { loggerOptions, RequestLogController, requestLogOptions, type LogStream } from './logging.js';

/** A Fastify instance with the limits every request gets: body size, timeouts, request ids. */
export async function createServer(config: Config, logStream?: LogStream) {
  const app = Fastify({
    logger: loggerOptions(config, logStream),
    bodyLimit: config.bodyLimit,
    // A slow client (slowloris) is cut off once the whole request has not arrived in time.
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs * 2,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // Node checks request and header deadlines on this interval (default 30 s, too coarse).
    http: { connectionsCheckingInterval: 1000, headersTimeout: config.headersTimeoutMs },
    trustProxy: config.trustProxy,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    logController: new RequestLogController(requestLogOptions(config)),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: true, useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  await app.register(formbody);
  // Uploads are read as streams by the routes that take them (request.file()), each with its own size limit.
  await app.register(multipart, { limits: { files: 1, fields: 100, parts: 101 } });
  await app.register(cookie, { secret: config.sessionSecret });
  return app;
}

export type App = Awaited<ReturnType<typeof createServer>>;
