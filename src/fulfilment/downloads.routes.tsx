import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { NotFoundError } from '../platform/errors.js';
import { DownloadProblem } from './downloads.problems.js';
import type { DownloadAnswer, DownloadsService } from './downloads.service.js';
import { DownloadProblemPage } from './downloads.view.js';
import { attachmentDisposition } from './storage.js';

interface DownloadsRoutesOptions {
  downloads: DownloadsService;
  requireUser: preHandlerHookHandler;
  userSub: (request: FastifyRequest) => string;
}

const ORDER_ID = /^ord_[0-9a-f]{24}$/;
const ItemParams = Type.Object({ id: Type.String({ maxLength: 64 }), itemId: Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 }) });
const LinkBody = Type.Object({
  unit: Type.Integer({ minimum: 0, maximum: 10_000 }),
  file: Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 }),
});
/** Download links per signed-in user: plenty for a person, too few to hammer the store. */
const linkLimit = { max: 30, timeWindow: 60_000, keyGenerator: (request: FastifyRequest) => request.user?.sub ?? request.ip };
/** Downloads per client address: download managers open several ranged connections and retry. */
const fetchLimit = { max: 300, timeWindow: 60_000 };

const header = (request: FastifyRequest, name: string) => {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/** A refused link or download gets its own page, with its status and the way back to the order. */
async function problemPage(request: FastifyRequest, reply: FastifyReply, err: unknown) {
  if (!(err instanceof DownloadProblem)) throw err;
  request.log.info({ reason: err.reason }, 'download refused');
  const ctx = await request.viewContext(reply);
  return reply
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .render(
      <DownloadProblemPage ctx={ctx} status={err.status} title={err.title} message={err.message} orderId={err.orderId} />,
      err.status,
    );
}

/** The file (or its range) with every header a browser or download manager needs; a redirect for presigned storage. */
function sendAnswer(reply: FastifyReply, answer: DownloadAnswer) {
  // Download URLs carry their authority: never cached by anyone, never passed on as a Referer.
  reply.header('cache-control', 'private, no-store').header('referrer-policy', 'no-referrer').header('x-robots-tag', 'noindex');
  if (answer.kind === 'redirect') return reply.redirect(answer.url, 302);
  if (answer.kind === 'unsatisfiable')
    return reply.code(416).header('accept-ranges', 'bytes').header('content-range', `bytes */${answer.size}`).send();
  const { file, range, body } = answer;
  reply
    .header('content-type', file.contentType)
    .header('content-disposition', attachmentDisposition(file.filename))
    .header('accept-ranges', 'bytes')
    .header('etag', file.etag)
    .header('last-modified', new Date(file.lastModified).toUTCString())
    .header('content-length', range ? range.end - range.start + 1 : file.size);
  if (range) reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${file.size}`);
  return reply.send(body ?? undefined);
}

/** POST /orders/:id/items/:itemId/download (a temporary link for the order's owner) and GET/HEAD /download/:token (no session needed). */
export async function downloadsRoutes(app: FastifyInstance, { downloads, requireUser, userSub }: DownloadsRoutesOptions) {
  app.post(
    '/orders/:id/items/:itemId/download',
    { preHandler: requireUser, schema: { params: ItemParams, body: LinkBody }, config: { rateLimit: linkLimit } },
    async (request, reply) => {
      const { id, itemId } = request.params as Static<typeof ItemParams>;
      const { unit, file } = request.body as Static<typeof LinkBody>;
      // A malformed order id is answered like someone else's order.
      if (!ORDER_ID.test(id)) throw new NotFoundError('We could not find that order.', 'order_not_found');
      try {
        return reply
          .header('cache-control', 'no-store')
          .redirect(await downloads.createLink(id, itemId, userSub(request), { unit, fileId: file }), 303);
      } catch (err) {
        return problemPage(request, reply, err);
      }
    },
  );

  app.route({
    method: ['GET', 'HEAD'],
    url: '/download/:token',
    config: { rateLimit: fetchLimit },
    handler: async (request, reply) => {
      const { token } = request.params as { token: string };
      const method = request.method === 'HEAD' ? 'HEAD' : 'GET';
      try {
        return sendAnswer(
          reply,
          await downloads.openDownload(token, {
            method,
            ip: request.ip,
            range: header(request, 'range'),
            ifRange: header(request, 'if-range'),
          }),
        );
      } catch (err) {
        return problemPage(request, reply, err);
      }
    },
  });
}
