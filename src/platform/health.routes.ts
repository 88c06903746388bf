import type { FastifyInstance } from 'fastify';
import type { Database } from './db/db.js';

/**
 * Liveness (process up) and readiness (database reachable) for load balancers. Connections the
 * database drops between requests are logged here; the next query opens a new one.
 */
export async function healthRoutes(app: FastifyInstance, { db }: { db: Database }) {
  db.onConnectionError((err) => app.log.warn({ err }, 'database connection lost; the next query opens a new one'));
  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    try {
      await db.ping();
      return { status: 'ready' };
    } catch (err) {
      request.log.warn({ err }, 'database not reachable');
      return reply
        .code(503)
        .send({ status: 'unavailable', error: { code: 'database_unreachable', message: 'The database is not reachable.' } });
    }
  });
}
