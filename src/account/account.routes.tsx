import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../auth/auth.plugin.js';
import type { AccountService } from './account.service.js';
import { ProfilePage } from './profile.view.js';

// Lengths beyond any real name are refused outright; the service and the provider judge the rest.
const profileBody = Type.Object({
  firstName: Type.String({ maxLength: 1000 }),
  lastName: Type.String({ maxLength: 1000 }),
  email: Type.String({ maxLength: 1000 }),
});

/** GET /profile and POST /profile: the user's details at the identity provider. */
export async function accountRoutes(fastify: FastifyInstance, { account }: { account: AccountService }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/profile',
    { preHandler: requireUser, schema: { querystring: Type.Object({ saved: Type.Optional(Type.String()) }) } },
    async (request, reply) => {
      const profile = await account.getProfile(request.auth!);
      const ctx = await request.viewContext(reply);
      return reply.render(<ProfilePage ctx={ctx} profile={profile} editable={account.editable} saved={request.query.saved === '1'} />);
    },
  );

  app.post('/profile', { preHandler: requireUser, schema: { body: profileBody } }, async (request, reply) => {
    const { firstName, lastName, email } = request.body;
    const errors = await account.updateProfile(request.auth!, { firstName, lastName, email });
    if (Object.keys(errors).length === 0) return reply.redirect('/profile?saved=1', 303);
    const ctx = await request.viewContext(reply);
    return reply.render(
      <ProfilePage ctx={ctx} profile={{ firstName, lastName, email }} editable={account.editable} errors={errors} />,
      400,
    );
  });
}
