import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../platform/errors.js';
import type { ContactFieldErrors, ContactService } from './contact.service.js';
import { ContactPage } from './contact.view.js';

const text = (max: number) => Type.String({ maxLength: max, default: '' });
const ContactBody = Type.Object({ name: text(1000), email: text(1000), subject: text(1000), message: text(20_000), website: text(1000) });

interface ContactRoutesOptions {
  contact: ContactService;
  currentUserSub: (request: FastifyRequest) => string | null;
  /** Per-client limit for posting messages. */
  rateLimit: { max: number; timeWindow: number };
}

/** GET/POST /contact. */
export async function contactRoutes(app: FastifyInstance, { contact, currentUserSub, rateLimit }: ContactRoutesOptions) {
  app.get('/contact', { schema: { querystring: Type.Object({ sent: Type.Optional(Type.String()) }) } }, async (request, reply) => {
    const { sent } = request.query as { sent?: string };
    return reply.header('cache-control', 'no-store').render(<ContactPage ctx={await request.viewContext(reply)} sent={sent === '1'} />);
  });

  app.post('/contact', { schema: { body: ContactBody }, config: { rateLimit } }, async (request, reply) => {
    const body = request.body as Static<typeof ContactBody>;
    try {
      await contact.sendMessage(body, { ip: request.ip, userSub: currentUserSub(request) });
      return reply.redirect('/contact?sent=1', 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const errors = (err.details?.fields ?? {}) as ContactFieldErrors;
      return reply.render(<ContactPage ctx={await request.viewContext(reply)} values={body} errors={errors} />, 400);
    }
  });
}
