import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { NotFoundError } from '../platform/errors.js';
import { renderCreditNotePdf } from './credit-note.pdf.js';
import { CreditNotePage } from './credit-note.view.js';
import type { CreditNotesService } from './credit-notes.service.js';
import type { Seller } from './invoice.js';
import { renderInvoicePdf } from './invoice.pdf.js';
import { InvoicePage } from './invoice.view.js';
import { OrdersPage } from './orders.view.js';
import type { OrdersService } from './orders.service.js';

interface OrdersRoutesOptions {
  orders: OrdersService;
  creditNotes: CreditNotesService;
  seller: Seller;
  requireUser: preHandlerHookHandler;
  userSub: (request: FastifyRequest) => string;
}

const ORDER_ID = /^ord_[0-9a-f]{24}$/;
const ListQuery = Type.Object({ page: Type.Optional(Type.String({ maxLength: 20 })) });
const CreditNoteParams = Type.Object({
  id: Type.String({ maxLength: 64 }),
  number: Type.String({ maxLength: 80, pattern: '^[A-Za-z0-9_.-]+$' }),
});
const InvoiceQuery = Type.Object({ format: Type.Optional(Type.Union([Type.Literal('html'), Type.Literal('pdf')])) });
const checkId = (id: string) => {
  // A malformed id is answered like someone else's order: 404, nothing about existence leaks.
  if (!ORDER_ID.test(id)) throw new NotFoundError('We could not find that order.', 'order_not_found');
};

/** GET /orders and the invoices, for the logged-in buyer only (the order page itself is src/order-page). */
export async function ordersRoutes(app: FastifyInstance, { orders, creditNotes, seller, requireUser, userSub }: OrdersRoutesOptions) {
  app.get('/orders', { preHandler: requireUser, schema: { querystring: ListQuery } }, async (request, reply) => {
    const { page } = request.query as Static<typeof ListQuery>;
    const list = await orders.listOrdersOfUser(userSub(request), page);
    return reply.header('cache-control', 'no-store').render(<OrdersPage ctx={await request.viewContext(reply)} {...list} />);
  });

  const invoice = async (request: FastifyRequest, reply: FastifyReply, id: string, pdf: boolean) => {
    checkId(id);
    const data = await orders.getInvoice(id, userSub(request), seller);
    reply.header('cache-control', 'private, no-store');
    if (!pdf) return reply.render(<InvoicePage ctx={await request.viewContext(reply)} invoice={data} />);
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="invoice-${data.number}.pdf"`)
      .send(await renderInvoicePdf(data));
  };
  app.get('/order/:id/invoice', { preHandler: requireUser, schema: { querystring: InvoiceQuery } }, async (request, reply) => {
    const { format } = request.query as Static<typeof InvoiceQuery>;
    return invoice(request, reply, (request.params as { id: string }).id, format === 'pdf');
  });
  app.get('/order/:id/invoice.pdf', { preHandler: requireUser }, async (request, reply) =>
    invoice(request, reply, (request.params as { id: string }).id, true),
  );

  // One route for the page and its PDF: `CN-2026-000004.pdf` is the PDF of `CN-2026-000004`.
  app.get('/orders/:id/credit-notes/:number', { preHandler: requireUser, schema: { params: CreditNoteParams } }, async (request, reply) => {
    const { id, number } = request.params as Static<typeof CreditNoteParams>;
    checkId(id);
    const pdf = number.endsWith('.pdf');
    const viewer = { sub: userSub(request), isOwner: request.user?.isOwner === true };
    const note = await creditNotes.getForViewer(id, pdf ? number.slice(0, -4) : number, viewer, seller);
    reply.header('cache-control', 'private, no-store');
    if (!pdf) return reply.render(<CreditNotePage ctx={await request.viewContext(reply)} note={note} />);
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="credit-note-${note.number}.pdf"`)
      .send(await renderCreditNotePdf(note));
  });
}
