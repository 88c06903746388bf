import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, ValidationError } from '../platform/errors.js';
import type { DonationFieldErrors } from './donation-form.js';
import { isUnpaidEnd, type DonationState } from './donation-state.js';
import { DonatePage, DonationThanksPage, type DonateNotice } from './donation.view.js';
import type { Donor, DonationsService } from './donations.service.js';

// Generous limits: the service's own checks give the clear messages.
const text = (max: number) => Type.String({ maxLength: max, default: '' });
const DonateBody = Type.Object({ amount_choice: text(50), amount: text(100), message: text(10_000), email: text(1000) });
const DonateQuery = Type.Object({
  cancelled: Type.Optional(Type.String({ maxLength: 5 })),
  donation: Type.Optional(Type.String({ maxLength: 64 })),
});
// Both optional so that a missing one is the same 404 as a wrong one.
const ThanksQuery = Type.Object({
  donation: Type.Optional(Type.String({ maxLength: 1000 })),
  session_id: Type.Optional(Type.String({ maxLength: 1000 })),
});

interface DonationsRoutesOptions {
  donations: DonationsService;
  donor: (request: FastifyRequest) => Donor;
  /** Per-client limit for starting donations. */
  rateLimit: { max: number; timeWindow: number };
}

const cancelNotice = (state: DonationState | null): DonateNotice | undefined =>
  state && isUnpaidEnd(state)
    ? { tone: 'info', text: 'Your donation was cancelled; nothing was charged. You can choose an amount again below.' }
    : undefined;

/** GET/POST /donate and the thank-you page the gateway sends donors back to. */
export async function donationsRoutes(app: FastifyInstance, { donations, donor, rateLimit }: DonationsRoutesOptions) {
  app.get('/donate', { schema: { querystring: DonateQuery } }, async (request, reply) => {
    const q = request.query as Static<typeof DonateQuery>;
    const state = q.cancelled === '1' && q.donation ? await donations.cancelReturn(q.donation) : null;
    return reply
      .header('cache-control', 'no-store')
      .render(<DonatePage ctx={await request.viewContext(reply)} limits={donations.limits} notice={cancelNotice(state)} />);
  });

  app.post('/donate', { schema: { body: DonateBody }, config: { rateLimit } }, async (request, reply) => {
    const body = request.body as Static<typeof DonateBody>;
    try {
      const { paymentUrl } = await donations.startDonation(body, donor(request));
      return reply.redirect(paymentUrl, 303);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      // Field errors, or the gateway being down (503): the form again, with what was typed.
      const errors = err instanceof ValidationError ? ((err.details?.fields ?? {}) as DonationFieldErrors) : {};
      const notice: DonateNotice | undefined = Object.keys(errors).length > 0 ? undefined : { tone: 'error', text: err.message };
      return reply
        .header('cache-control', 'no-store')
        .render(
          <DonatePage ctx={await request.viewContext(reply)} limits={donations.limits} values={body} errors={errors} notice={notice} />,
          err.status,
        );
    }
  });

  app.get('/donate/thanks', { schema: { querystring: ThanksQuery } }, async (request, reply) => {
    const q = request.query as Static<typeof ThanksQuery>;
    const donation = await donations.confirmReturn(q.donation ?? '', q.session_id ?? '');
    return reply
      .header('cache-control', 'no-store')
      .render(<DonationThanksPage ctx={await request.viewContext(reply)} donation={donation} />);
  });
}
