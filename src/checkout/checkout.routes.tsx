import { randomUUID } from 'node:crypto';
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { AppError } from '../platform/errors.js';
import type { CheckoutService } from './checkout.service.js';
import type { Buyer } from './checkout.types.js';
import { CheckoutReturnPage } from './checkout-return.view.js';
import { CheckoutPage } from './checkout.view.js';

interface CheckoutRoutesOptions {
  checkout: CheckoutService;
  requireUser: preHandlerHookHandler;
  buyer: (request: FastifyRequest) => Buyer;
  pricesIncludeTax: boolean;
}

// The reviewed total is optional for clients that post without the review page (the form always
// sends it), but comes with its currency or not at all.
const PlaceOrderBody = Type.Object(
  {
    idempotencyKey: Type.String({ pattern: '^[A-Za-z0-9-]{16,64}$' }),
    reviewedTotal: Type.Optional(Type.String({ pattern: '^[0-9]{1,12}$' })),
    reviewedCurrency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
  },
  { dependencies: { reviewedTotal: ['reviewedCurrency'], reviewedCurrency: ['reviewedTotal'] } },
);
const ReturnQuery = Type.Object({
  order: Type.String({ maxLength: 64 }),
  session_id: Type.Optional(Type.String({ maxLength: 255 })),
  cancelled: Type.Optional(Type.String({ maxLength: 5 })),
});

/** GET/POST /checkout and the page the gateway sends the buyer back to. */
export async function checkoutRoutes(app: FastifyInstance, { checkout, requireUser, buyer, pricesIncludeTax }: CheckoutRoutesOptions) {
  const page = async (request: FastifyRequest, problem?: AppError) => {
    const review = await checkout.reviewCart(buyer(request)).catch((err: unknown) => {
      if (err instanceof AppError && err.status < 500) return { problem: err.message };
      throw err;
    });
    const summary = 'lines' in review ? review : null;
    const message = problem?.message ?? ('problem' in review ? review.problem : undefined);
    return { summary, message };
  };

  app.get('/checkout', { preHandler: requireUser }, async (request, reply) => {
    const { summary, message } = await page(request);
    const ctx = await request.viewContext(reply, summary ? { cartCount: summary.lines.reduce((n, l) => n + l.quantity, 0) } : {});
    return reply
      .header('cache-control', 'no-store')
      .render(
        <CheckoutPage ctx={ctx} review={summary} problem={message} idempotencyKey={randomUUID()} pricesIncludeTax={pricesIncludeTax} />,
      );
  });

  app.post('/checkout', { preHandler: requireUser, schema: { body: PlaceOrderBody } }, async (request, reply) => {
    const { idempotencyKey, reviewedTotal, reviewedCurrency } = request.body as Static<typeof PlaceOrderBody>;
    const reviewed =
      reviewedTotal !== undefined && reviewedCurrency !== undefined
        ? { total: Number(reviewedTotal), currency: reviewedCurrency }
        : undefined;
    try {
      const placed = await checkout.placeOrder(buyer(request), idempotencyKey, reviewed);
      request.log.info({ orderId: placed.orderId }, 'order placed');
      return reply.redirect(placed.paymentUrl ?? `/checkout/return?order=${placed.orderId}`, 303);
    } catch (err) {
      // Sold out, a changed total or currency problems: shown on the checkout page itself, newly priced.
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      const { summary } = await page(request);
      const ctx = await request.viewContext(reply);
      return reply.render(
        <CheckoutPage ctx={ctx} review={summary} problem={err.message} idempotencyKey={randomUUID()} pricesIncludeTax={pricesIncludeTax} />,
        err.status,
      );
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
