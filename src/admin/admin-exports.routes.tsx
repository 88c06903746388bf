import { Readable } from 'node:stream';
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AdminExportsPage } from './admin-exports.view.js';
import {
  exportFilename,
  parseExportRange,
  readExportRequest,
  type AdminExportsService,
  type ExportKind,
  type ExportRange,
} from './admin-exports.service.js';

// Lengths only: the service reads the values, so a bad one gets its message beside its field.
const ExportQuery = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 40 })),
  to: Type.Optional(Type.String({ maxLength: 40 })),
  kind: Type.Optional(Type.String({ maxLength: 40 })),
});
const RangeQuery = Type.Object({ from: Type.Optional(Type.String({ maxLength: 40 })), to: Type.Optional(Type.String({ maxLength: 40 })) });

const privatePage = (reply: FastifyReply) => reply.header('cache-control', 'private, no-store');

/** The first day of the current month to today (UTC): what the form offers before the owner chooses. */
const defaultRange = (now: number) => {
  const today = new Date(now).toISOString().slice(0, 10);
  return { from: `${today.slice(0, 8)}01`, to: today, kind: 'orders' };
};

/** The owner's CSV exports: a form, and two streamed files (reads only: nothing to audit). */
export function adminExportsRoutes(
  app: FastifyInstance,
  { exports, clock = Date.now }: { exports: AdminExportsService; clock?: () => number },
) {
  app.get('/admin/exports', { schema: { querystring: ExportQuery } }, async (request, reply) => {
    const query = request.query as Static<typeof ExportQuery>;
    const ctx = await request.viewContext(reply);
    if (query.from === undefined && query.to === undefined)
      return privatePage(reply).render(<AdminExportsPage ctx={ctx} values={defaultRange(clock())} />);
    const read = readExportRequest(query);
    if (!read.ok) return privatePage(reply).render(<AdminExportsPage ctx={ctx} values={read.values} errors={read.errors} />, 400);
    const params = new URLSearchParams({ from: read.range.fromDate, to: read.range.toDate });
    return reply.redirect(`/admin/exports/${read.kind}.csv?${params}`, 303);
  });

  const send = (reply: FastifyReply, kind: ExportKind, range: ExportRange, rows: AsyncGenerator<string>) =>
    privatePage(reply)
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${exportFilename(kind, range)}"`)
      .send(Readable.from(rows, { highWaterMark: 1 }));

  app.get('/admin/exports/orders.csv', { schema: { querystring: RangeQuery } }, async (request, reply) => {
    const range = parseExportRange(request.query as Static<typeof RangeQuery>);
    return send(reply, 'orders', range, exports.ordersCsv(range));
  });

  app.get('/admin/exports/sales.csv', { schema: { querystring: RangeQuery } }, async (request, reply) => {
    const range = parseExportRange(request.query as Static<typeof RangeQuery>);
    return send(reply, 'sales', range, exports.salesCsv(range));
  });
}
