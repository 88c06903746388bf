import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError, ValidationError } from '../platform/errors.js';
import { cleanCode, DISCOUNT_NOTICES, discountJson, type CartDiscounts } from './cart.discount.js';
import { isCartError } from './cart.errors.js';
import type { CartOwners } from './cart.owner.js';
import { cartJson, errorQuery, NOTICE_FOR_ACTION, pageNotice } from './cart.present.js';
import type { Cart, CartService } from './cart.service.js';
import { CartPage } from './cart.view.js';

const Sku = Type.String({ maxLength: 200 });
// Any JSON value, checked by the service (parseQuantity): it explains a bad quantity better than a
// schema error would, and nothing gets coerced on the way (true is not 1, [3] is not 3).
const Quantity = Type.Unknown({ description: 'a whole number 1 to 10, as a number or a string of digits' });
const AddBody = Type.Object({ sku: Sku, quantity: Type.Optional(Quantity) });
const UpdateBody = Type.Object({ sku: Sku, quantity: Quantity });
const RemoveBody = Type.Object({ sku: Sku });
const FormBody = Type.Object({
  // The product page's Add to cart form sends no action.
  action: Type.Optional(Type.Union([Type.Literal('add'), Type.Literal('update'), Type.Literal('remove')])),
  sku: Sku,
  quantity: Type.Optional(Type.String({ maxLength: 100 })),
});
const PageQuery = Type.Object({
  notice: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
  left: Type.Optional(Type.String()),
  held: Type.Optional(Type.String()),
  code: Type.Optional(Type.String()),
});
// No length limit but the body's: an overlong code is refused as unknown beside the form, not as an error page.
const DiscountForm = Type.Object({
  action: Type.Optional(Type.Union([Type.Literal('apply'), Type.Literal('remove')])),
  code: Type.Optional(Type.String()),
});
// Checked by the route (codeOf), as quantities are: 15 or true is not the code "15" or "TRUE".
const DiscountBody = Type.Object({ code: Type.Optional(Type.Unknown({ description: 'the code as a string' })) });
/** A cart change is a few dozen bytes. */
const BODY_LIMIT = 4096;
const BODY_TYPES = new Set(['application/json', 'application/x-www-form-urlencoded']);

/** The API's code: a non-empty string, else a 400 saying what to send. */
function codeOf(raw: unknown): string {
  if (raw !== undefined && raw !== null && typeof raw !== 'string')
    throw new ValidationError('Send the discount code as text, e.g. {"code": "SUMMER-15"}.', undefined, 'invalid_input');
  const code = (raw ?? '').trim();
  if (!code) throw new ValidationError('Please enter a discount code.', undefined, 'discount_missing');
  return code;
}

class UnsupportedMediaTypeError extends AppError {
  constructor() {
    super('unsupported_media_type', 'Send cart changes as JSON or as a form.', 415);
  }
}

/** GET and POST /cart (pages, no JavaScript needed) and the JSON API under /api/cart. */
export async function cartRoutes(
  fastify: FastifyInstance,
  { cart, owners, discounts }: { cart: CartService; owners: CartOwners; discounts?: CartDiscounts },
) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // The cart's code, priced against it now (null without one, or without the discounts domain).
  const discountOf = (ownerId: string | null, c: Cart) => (ownerId && discounts ? discounts.show(ownerId, ownerId, c) : null);
  const json = async (reply: FastifyReply, c: Cart, ownerId: string | null) =>
    reply.header('cache-control', 'no-store').send({ ...cartJson(c), discount: discountJson(await discountOf(ownerId, c)) });
  /** A refused code after the form's redirect: explained again against the cart (fixed texts only otherwise). */
  const discountNotice = async (ownerId: string | null, c: Cart, query: { error?: string; code?: string }) => {
    if (!query.error || !Object.hasOwn(DISCOUNT_NOTICES, query.error)) return null;
    const code = cleanCode(query.code);
    const why = code && ownerId && discounts ? await discounts.explain(ownerId, code, c) : null;
    return { kind: 'error' as const, text: why ?? DISCOUNT_NOTICES[query.error]! };
  };

  // Fastify would also parse text/plain; a cart change is only ever JSON or a form.
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'POST') return;
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!BODY_TYPES.has(type)) throw new UnsupportedMediaTypeError();
  });

  app.get('/cart', { schema: { querystring: PageQuery } }, async (request, reply) => {
    const { ownerId, merged } = await owners.resolve(request, reply, { takeNotice: true });
    const current = await cart.getCart(ownerId);
    const ctx = await request.viewContext(reply, { cartCount: current.count });
    const notice = (await discountNotice(ownerId, current, request.query)) ?? pageNotice(request.query);
    const discount = await discountOf(ownerId, current);
    return reply
      .header('cache-control', 'private, no-store')
      .render(<CartPage ctx={ctx} cart={current} notice={notice} merged={merged} discount={discount} codes={discounts !== undefined} />);
  });

  app.post('/cart', { schema: { body: FormBody }, bodyLimit: BODY_LIMIT }, async (request, reply) => {
    const { action = 'add', sku, quantity } = request.body;
    const ownerId = await owners.resolveForChange(request, reply);
    reply.header('cache-control', 'no-store');
    try {
      await (action === 'add'
        ? cart.addItem(ownerId, sku, quantity)
        : action === 'update'
          ? cart.updateItem(ownerId, sku, quantity)
          : cart.removeItem(ownerId, sku));
    } catch (err) {
      if (!isCartError(err)) throw err;
      return reply.redirect(`/cart?${errorQuery(err)}`, 303);
    }
    return reply.redirect(`/cart?notice=${NOTICE_FOR_ACTION[action]}`, 303);
  });

  app.get('/api/cart', async (request, reply) => {
    const { ownerId } = await owners.resolve(request, reply);
    return json(reply, await cart.getCart(ownerId), ownerId);
  });

  app.post('/api/cart/add', { schema: { body: AddBody }, bodyLimit: BODY_LIMIT }, async (request, reply) => {
    const ownerId = await owners.resolveForChange(request, reply);
    return json(reply, await cart.addItem(ownerId, request.body.sku, request.body.quantity), ownerId);
  });

  app.post('/api/cart/update', { schema: { body: UpdateBody }, bodyLimit: BODY_LIMIT }, async (request, reply) => {
    const ownerId = await owners.resolveForChange(request, reply);
    return json(reply, await cart.updateItem(ownerId, request.body.sku, request.body.quantity), ownerId);
  });

  app.post('/api/cart/remove', { schema: { body: RemoveBody }, bodyLimit: BODY_LIMIT }, async (request, reply) => {
    const ownerId = await owners.resolveForChange(request, reply);
    return json(reply, await cart.removeItem(ownerId, request.body.sku), ownerId);
  });

  if (!discounts) return;
  // Discount codes: the form posts and redirects back with the code's message; the API answers the cart.
  app.post('/cart/discount', { schema: { body: DiscountForm }, bodyLimit: BODY_LIMIT }, async (request, reply) => {
    const ownerId = await owners.resolveForChange(request, reply);
    reply.header('cache-control', 'no-store');
    if (request.body.action === 'remove') {
      await discounts.remove(ownerId);
      return reply.redirect('/cart?notice=discount_removed', 303);
    }
    const code = (request.body.code ?? '').trim();
    if (!code) return reply.redirect('/cart?error=discount_missing', 303);
    try {
      await discounts.apply(ownerId, ownerId, code, await cart.getCart(ownerId));
    } catch (err) {
      if (!discounts.isRefusal(err)) throw err;
      const q = new URLSearchParams({ error: err.code, ...(cleanCode(code) ? { code: cleanCode(code)! } : {}) });
      return reply.redirect(`/cart?${q.toString()}`, 303);
    }
    return reply.redirect('/cart?notice=discount_applied', 303);
  });

  app.post('/api/cart/discount', { schema: { body: DiscountBody }, bodyLimit: BODY_LIMIT }, async (request, reply) => {
    const code = codeOf(request.body.code);
    const ownerId = await owners.resolveForChange(request, reply);
    const current = await cart.getCart(ownerId);
    const applied = await discounts.apply(ownerId, ownerId, code, current);
    return json(reply, { ...current, code: applied.code }, ownerId);
  });

  app.post('/api/cart/discount/remove', { bodyLimit: BODY_LIMIT }, async (request, reply) => {
    const ownerId = await owners.resolveForChange(request, reply);
    await discounts.remove(ownerId);
    return json(reply, await cart.getCart(ownerId), ownerId);
  });
}

/** The header badge's count for ViewSources.cartCount: no query for a visitor without a cart. */
export function cartCountSource(cart: Pick<CartService, 'countItems'>, owners: Pick<CartOwners, 'ownerOf'>) {
  return async (request: Parameters<CartOwners['ownerOf']>[0]) => {
    const ownerId = owners.ownerOf(request);
    return ownerId ? cart.countItems(ownerId) : 0;
  };
}
