import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../platform/errors.js';
import { formatMoney } from '../platform/money.js';
import { AdminCustomerPage, AdminCustomersPage } from './admin-customers.view.js';
import type { AdminCustomersService } from './admin-customers.service.js';
import { AdminDonationsPage, type DonationsNotice } from './admin-donations.view.js';
import type { AdminDonationsService } from './admin-donations.service.js';

export interface AdminBuyersRoutesOptions {
  customers: AdminCustomersService;
  donations: AdminDonationsService;
}

// Lengths only: the services parse the values, so a bad one gets its own clear message.
const CustomersQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 320 })),
  page: Type.Optional(Type.String({ maxLength: 20 })),
});
const PageQuery = Type.Object({ page: Type.Optional(Type.String({ maxLength: 20 })) });
const EmailParams = Type.Object({ email: Type.String({ maxLength: 400 }) });
const DonationsQuery = Type.Object({
  status: Type.Optional(Type.String({ maxLength: 40 })),
  page: Type.Optional(Type.String({ maxLength: 20 })),
  refunded: Type.Optional(Type.String({ maxLength: 40 })),
});
const DonationParams = Type.Object({ id: Type.String({ maxLength: 40 }) });
const RefundBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 2000 })) });

const privatePage = (reply: FastifyReply) => reply.header('cache-control', 'private, no-store');

/** /admin/customers (buyers by email) and /admin/donations (list, refund); registered inside adminRoutes, behind its owner guard. */
export function adminBuyersRoutes(app: FastifyInstance, { customers, donations }: AdminBuyersRoutesOptions) {
  app.get('/admin/customers', { schema: { querystring: CustomersQuery } }, async (request, reply) => {
    const list = await customers.listCustomers(request.query as Static<typeof CustomersQuery>);
    return privatePage(reply).render(<AdminCustomersPage ctx={await request.viewContext(reply)} list={list} />);
  });

  app.get('/admin/customers/:email', { schema: { params: EmailParams, querystring: PageQuery } }, async (request, reply) => {
    const detail = await customers.getCustomer(
      (request.params as Static<typeof EmailParams>).email,
      (request.query as Static<typeof PageQuery>).page,
    );
    return privatePage(reply).render(<AdminCustomerPage ctx={await request.viewContext(reply)} detail={detail} />);
  });

  const donationsPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { notice?: DonationsNotice | null; refundError?: { id: string; message: string; reason: string } } = {},
    status = 200,
  ) => {
    const list = await donations.list(request.query as Static<typeof DonationsQuery>);
    return privatePage(reply).render(<AdminDonationsPage ctx={await request.viewContext(reply)} list={list} {...extra} />, status);
  };

  app.get('/admin/donations', { schema: { querystring: DonationsQuery } }, async (request, reply) => {
    const refunded = (request.query as Static<typeof DonationsQuery>).refunded;
    const d = refunded ? await donations.find(refunded) : undefined;
    const notice: DonationsNotice | null = d
      ? {
          kind: 'success',
          text: `Donation ${d.id} (${formatMoney(d.amount, d.currency)}${d.email ? ` from ${d.email}` : ''}) is ${d.status}.`,
        }
      : null;
    return donationsPage(request, reply, { notice });
  });

  app.post('/admin/donations/:id/refund', { schema: { params: DonationParams, body: RefundBody } }, async (request, reply) => {
    const { id } = request.params as Static<typeof DonationParams>;
    const reason = (request.body as Static<typeof RefundBody>).reason ?? '';
    try {
      await donations.refund({ sub: request.user!.sub, email: request.user!.email }, id, reason);
    } catch (err) {
      if (!(err instanceof AppError) || err.status === 404) throw err;
      // The list again (status 4xx/5xx): a missing reason beside its field, any other refusal above the list.
      const field = (err.details?.fields as { reason?: string } | undefined)?.reason;
      const extra = field ? { refundError: { id, message: field, reason } } : { notice: { kind: 'error' as const, text: err.message } };
      return donationsPage(request, reply, extra, err.status);
    }
    return reply.redirect(`/admin/donations?refunded=${encodeURIComponent(id)}`, 303);
  });
}
