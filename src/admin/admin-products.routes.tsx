import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditActor, AuditService } from '../audit/audit.service.js';
import { renderMarkdown } from '../platform/markdown.js';
import { parsePage } from './admin-query.js';
import { AdminAuditPage } from './admin-audit.view.js';
import {
  productFormValues,
  readProductForm,
  toProductInput,
  type ProductFormErrors,
  type ProductFormValues,
} from './admin-product-form.js';
import { AdminProductFormPage } from './admin-product-form.view.js';
import type { AdminProductsService } from './admin-products.service.js';

export interface AdminWriteRoutesOptions {
  products: AdminProductsService;
  audit: Pick<AuditService, 'listEntries'>;
  /** the tax categories the form offers (the rates table's); only standard when not given */
  taxCategories?: () => Promise<string[]>;
}

// Lengths above the catalog's own limits, so an over-long value gets its message beside the field.
const one = (max: number) => Type.Optional(Type.String({ maxLength: max }));
const many = (max: number) =>
  Type.Optional(Type.Union([Type.String({ maxLength: max }), Type.Array(Type.String({ maxLength: max }), { maxItems: 60 })]));
const ProductBody = Type.Object({
  sku: one(200),
  name: one(1000),
  summary: one(2000),
  description: one(200_000),
  price: one(40),
  currency: one(40),
  type: one(40),
  status: one(40),
  featured: one(10),
  categories: many(200),
  spec_label: many(500),
  spec_value: many(2000),
  download_limit: one(40),
  access_days: one(40),
  activation_limit: one(40),
  tax_category: one(100),
  preview: one(10),
});
const SkuParams = Type.Object({ sku: Type.String({ maxLength: 100 }) });
const PageQuery = Type.Object({ page: Type.Optional(Type.String({ maxLength: 20 })), saved: Type.Optional(Type.String({ maxLength: 5 })) });

const privatePage = (reply: FastifyReply) => reply.header('cache-control', 'private, no-store');
const actorOf = (request: FastifyRequest): AuditActor => ({ sub: request.user!.sub, email: request.user!.email });
const editUrl = (sku: string, saved = false) => `/admin/products/${encodeURIComponent(sku)}/edit${saved ? '?saved=1' : ''}`;

/** The owner's product forms and the audit log; registered inside adminRoutes, behind its owner guard. */
export function adminWriteRoutes(
  app: FastifyInstance,
  { products, audit, taxCategories = () => Promise.resolve(['standard']) }: AdminWriteRoutesOptions,
) {
  const form = async (
    request: FastifyRequest,
    reply: FastifyReply,
    editing: { sku: string; status: string } | null,
    values: ProductFormValues,
    extra: { errors?: ProductFormErrors; previewHtml?: string; saved?: boolean } = {},
    status = 200,
  ) => {
    const page = (
      <AdminProductFormPage
        ctx={await request.viewContext(reply)}
        editing={editing}
        values={values}
        categories={await products.listCategories()}
        taxCategories={await taxCategories()}
        {...extra}
      />
    );
    return privatePage(reply).render(page, status);
  };
  const blank: ProductFormValues = { ...readProductForm({}), currency: 'EUR', type: '' };
  // A well-formed category nobody defined (a typo, a stale form) would be charged the standard rate
  // everywhere without a word: refuse it beside the field with the form's other problems, save nothing.
  const unknownTaxCategory = async (values: ProductFormValues): Promise<ProductFormErrors | null> => {
    const { errors } = toProductInput(values);
    const category = values.taxCategory.trim().toLowerCase() || 'standard';
    if (errors.taxCategory || (await taxCategories()).includes(category)) return null;
    const message = `There is no tax category "${category}": choose one from the list, or add a rate for it under Tax first.`;
    return { ...errors, taxCategory: message };
  };

  app.get('/admin/products/new', async (request, reply) => form(request, reply, null, blank));

  app.post('/admin/products', { schema: { body: ProductBody } }, async (request, reply) => {
    const body = request.body as Static<typeof ProductBody>;
    const values = readProductForm(body);
    if (body.preview) return form(request, reply, null, values, { previewHtml: renderMarkdown(values.description) });
    const unknown = await unknownTaxCategory(values);
    if (unknown) return form(request, reply, null, values, { errors: unknown }, 400);
    const result = await products.create(actorOf(request), values);
    if (!result.ok) return form(request, reply, null, values, { errors: result.errors }, 400);
    return reply.redirect(editUrl(result.sku, true), 303);
  });

  app.get('/admin/products/:sku/edit', { schema: { params: SkuParams, querystring: PageQuery } }, async (request, reply) => {
    const p = await products.getProduct((request.params as Static<typeof SkuParams>).sku);
    const saved = (request.query as Static<typeof PageQuery>).saved === '1';
    return form(request, reply, { sku: p.sku, status: p.status }, productFormValues(p), { saved });
  });

  app.post('/admin/products/:sku', { schema: { params: SkuParams, body: ProductBody } }, async (request, reply) => {
    const body = request.body as Static<typeof ProductBody>;
    const current = await products.getProduct((request.params as Static<typeof SkuParams>).sku);
    const editing = { sku: current.sku, status: current.status };
    const values = { ...readProductForm(body), sku: current.sku };
    if (body.preview) return form(request, reply, editing, values, { previewHtml: renderMarkdown(values.description) });
    const unknown = await unknownTaxCategory(values);
    if (unknown) return form(request, reply, editing, values, { errors: unknown }, 400);
    const result = await products.update(actorOf(request), current.sku, values);
    if (!result.ok) return form(request, reply, editing, values, { errors: result.errors }, 400);
    return reply.redirect(editUrl(result.sku, true), 303);
  });

  app.post('/admin/products/:sku/duplicate', { schema: { params: SkuParams } }, async (request, reply) => {
    const copy = await products.duplicate(actorOf(request), (request.params as Static<typeof SkuParams>).sku);
    return reply.redirect(editUrl(copy, true), 303);
  });

  for (const [verb, archived] of [
    ['archive', true],
    ['unarchive', false],
  ] as const) {
    app.post(`/admin/products/:sku/${verb}`, { schema: { params: SkuParams } }, async (request, reply) => {
      const sku = await products.setArchived(actorOf(request), (request.params as Static<typeof SkuParams>).sku, archived);
      return reply.redirect(editUrl(sku, true), 303);
    });
  }

  app.get('/admin/audit', { schema: { querystring: PageQuery } }, async (request, reply) => {
    const { entries, pagination } = await audit.listEntries(parsePage((request.query as Static<typeof PageQuery>).page));
    return privatePage(reply).render(<AdminAuditPage ctx={await request.viewContext(reply)} entries={entries} pagination={pagination} />);
  });
}
