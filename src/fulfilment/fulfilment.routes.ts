import type { FastifyInstance } from 'fastify';
import type { KeySigner } from './signed-key.js';

/** The public half of the store's license signing key, for vendors' offline verification. */
export async function fulfilmentRoutes(app: FastifyInstance, { signer }: { signer: KeySigner }) {
  app.get('/.well-known/license-key.pub', async (_request, reply) =>
    reply
      .type('application/x-pem-file')
      .header('cache-control', 'public, max-age=3600')
      .header('x-key-id', signer.keyId)
      .send(signer.publicKeyPem),
  );
}
