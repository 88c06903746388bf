import { randomUUID } from 'node:crypto';
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { AppError } from '../platform/errors.js';
import { billingErrorsOf, billingForm, formOf, hasBillingForm, parseBilling, type BillingForm } from './checkout.billing.js';
import type { CheckoutService, PricedCart } from './checkout.service.js';
import type { Buyer } from './checkout.types.js';
import { CheckoutReturnPage } from './checkout-return.view.js';
import { CheckoutPage } from './checkout.view.js';

interface CheckoutRoutesOptions {
  checkout: CheckoutService;
  requireUser: preHandlerHookHandler;
  buyer: (request: FastifyRequest) => Buyer;
}

const field = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const BillingFields = {
  billingName: field(1000),
  billingCompany: field(1000),
  billingAddress: field(2000),
  billingCountry: field(100),
  billingVatId: field(100),
};
// The reviewed total is optional for clients that post without the review page (the form always
// sends it), but comes with its currency or not at all.
const PlaceOrderBody = Type.Object(
  {
    idempotencyKey: Type.String({ pattern: '^[A-Za-z0-9-]{16,64}$' }),
    reviewedTotal: Type.Optional(Type.String({ pattern: '^[0-9]{1,12}$' })),
    reviewedCurrency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    reviewedCode: field(100),
    ...BillingFields,
  },
  { dependencies: { reviewedTotal: ['reviewedCurrency'], reviewedCurrency: ['reviewedTotal'] } },
);
const ReviewQuery = Type.Object(BillingFields);
const ReturnQuery = Type.Object({
  order: Type.String({ maxLength: 64 }),
  session_id: Type.Optional(Type.String({ maxLength: 255 })),
  cancelled: Type.Optional(Type.String({ maxLength: 5 })),
});

/** GET/POST /checkout and the page the gateway sends the buyer back to. */
export async function checkoutRoutes(app: FastifyInstance, { checkout, requireUser, buyer }: CheckoutRoutesOptions) {
  /**
   * The review page for the typed billing details (re-priced for their country), with `problem` and
   * the fields' messages; a refusal of the details themselves is a 400 with nothing priced.
   */
  const render = async (request: FastifyRequest, reply: FastifyReply, form: BillingForm, problem?: AppError) => {
    let review: PricedCart | null = null;
    let message = problem?.message;
    let fieldErrors = billingErrorsOf(problem);
    try {
      review = await checkout.reviewCart(buyer(request), parseBilling(form, { forOrder: false }));
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      const about = billingErrorsOf(err);
      if (about) fieldErrors = { ...about, ...fieldErrors };
      message ??= err.message;
    }
    const status = fieldErrors ? 400 : (problem?.status ?? 200);
    const ctx = await request.viewContext(reply, review ? { cartCount: review.lines.reduce((n, l) => n + l.quantity, 0) } : {});
    const page = (
      <CheckoutPage ctx={ctx} review={review} problem={message} form={form} errors={fieldErrors ?? {}} idempotencyKey={randomUUID()} />
    );
    return reply.header('cache-control', 'no-store').render(page, status);
  };

  app.get('/checkout', { preHandler: requireUser, schema: { querystring: ReviewQuery } }, async (request, reply) => {
    const query = request.query as Static<typeof ReviewQuery>;
    // "Update total" submits the form here: priced for what was typed; a first visit starts from the prefill.
    const form = hasBillingForm(query) ? billingForm(query) : formOf(await checkout.prefill(buyer(request)));
    return render(request, reply, form);
  });

  app.post('/checkout', { preHandler: requireUser, schema: { body: PlaceOrderBody } }, async (request, reply) => {
    const body = request.body as Static<typeof PlaceOrderBody>;
    const { idempotencyKey, reviewedTotal, reviewedCurrency, reviewedCode } = body;
    const reviewed =
      reviewedTotal && reviewedCurrency ? { total: Number(reviewedTotal), currency: reviewedCurrency, code: reviewedCode } : undefined;
    const form = billingForm(body);
    try {
      const billing = hasBillingForm(body) ? parseBilling(form, { forOrder: true }) : undefined;
      const placed = await checkout.placeOrder(buyer(request), idempotencyKey, reviewed, billing);
      request.log.info({ orderId: placed.orderId }, 'order placed');
      return reply.redirect(placed.paymentUrl ?? `/checkout/return?order=${placed.orderId}`, 303);
    } catch (err) {
      // Bad details, sold out, a changed total or code: shown on the checkout page itself, newly priced.
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      return render(request, reply, hasBillingForm(body) ? form : formOf(await checkout.prefill(buyer(request))), err);
    }
  });

  app.get('/checkout/return', { preHandler: requireUser, schema: { querystring: ReturnQuery } }, async (request, reply) => {
    const q = request.query as Static<typeof ReturnQuery>;
    const { order, items } = await checkout.confirmReturn(q.order, buyer(request), {
      sessionId: q.session_id,
      cancelled: q.cancelled === '1',
    });
    return reply
      .header('cache-control', 'no-store')
      .render(<CheckoutReturnPage ctx={await request.viewContext(reply)} order={order} items={items} />);
  });
}
