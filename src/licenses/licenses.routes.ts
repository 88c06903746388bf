import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { licenseApiDocument } from './licenses.openapi.js';
import { licenseRateLimit, type LicenseRateLimits } from './licenses.rate-limit.js';
import type { LicensesService } from './licenses.service.js';

interface LicensesRoutesOptions {
  licenses: LicensesService;
  limits: LicenseRateLimits;
  publicUrl: string;
  requireUser: preHandlerHookHandler;
  userSub: (request: FastifyRequest) => string;
}

const LicenseKey = Type.String({ minLength: 1, maxLength: 1024 });
const InstanceId = Type.String({ maxLength: 100 });
const ValidateBody = Type.Object({ license_key: LicenseKey, instance_id: Type.Optional(InstanceId) });
const ActivateBody = Type.Object({ license_key: LicenseKey, instance_name: Type.String({ minLength: 1, maxLength: 200 }) });
const DeactivateBody = Type.Object({ license_key: LicenseKey, instance_id: Type.String({ minLength: 1, maxLength: 100 }) });
const ItemParams = Type.Object({ id: Type.String({ maxLength: 64 }), itemId: Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 }) });
const BuyerDeactivateBody = Type.Object({ instance_id: Type.String({ minLength: 1, maxLength: 100 }) });
/** The buyer's deactivate button, per signed-in user: plenty for a person. */
const buyerLimit = { max: 30, timeWindow: 60_000, keyGenerator: (request: FastifyRequest) => request.user?.sub ?? request.ip };

/**
 * The license API (no session: the key is the credential, so it opts out of the cross-origin check),
 * its OpenAPI description, and the buyer's deactivate button on the order page (session, same-origin post).
 */
export async function licensesRoutes(app: FastifyInstance, { licenses, limits, publicUrl, requireUser, userSub }: LicensesRoutesOptions) {
  const api = { config: { csrf: false }, preValidation: licenseRateLimit(app, limits, licenses.keyHash) };
  // License answers change with every activation: never cached anywhere.
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/licenses/') && request.method === 'POST') reply.header('cache-control', 'no-store');
  });

  app.post('/api/licenses/validate', { ...api, schema: { body: ValidateBody } }, async (request) => {
    const { license_key, instance_id } = request.body as Static<typeof ValidateBody>;
    // An empty form field means no instance.
    return licenses.validate(license_key, instance_id || undefined);
  });

  app.post('/api/licenses/activate', { ...api, schema: { body: ActivateBody } }, async (request, reply) => {
    const { license_key, instance_name } = request.body as Static<typeof ActivateBody>;
    const { created, ...answer } = await licenses.activate(license_key, instance_name);
    return reply.code(created ? 201 : 200).send({ activated: true, ...answer });
  });

  app.post('/api/licenses/deactivate', { ...api, schema: { body: DeactivateBody } }, async (request) => {
    const { license_key, instance_id } = request.body as Static<typeof DeactivateBody>;
    return { deactivated: true, ...(await licenses.deactivate(license_key, instance_id)) };
  });

  const document = licenseApiDocument(publicUrl);
  app.get('/api/licenses/openapi.json', async (_request, reply) => reply.header('cache-control', 'public, max-age=3600').send(document));

  // Someone else's order, item or instance is the same 404 as none at all.
  app.post(
    '/orders/:id/items/:itemId/activations/deactivate',
    { preHandler: requireUser, schema: { params: ItemParams, body: BuyerDeactivateBody }, config: { rateLimit: buyerLimit } },
    async (request, reply) => {
      const { id, itemId } = request.params as Static<typeof ItemParams>;
      await licenses.deactivateForBuyer(id, itemId, (request.body as Static<typeof BuyerDeactivateBody>).instance_id, userSub(request));
      return reply.redirect(`/orders/${id}#item-${itemId}`, 303);
    },
  );
}
