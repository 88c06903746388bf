import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { AdminDashboardPage } from './admin-dashboard.view.js';
import type { AdminService } from './admin.service.js';
import { adminExportsRoutes } from './admin-exports.routes.js';
import type { AdminExportsService } from './admin-exports.service.js';
import type { AdminReportsService } from './admin-reports.service.js';

export interface AdminReportsRoutesOptions {
  reports: AdminReportsService;
  exports: AdminExportsService;
  clock?: () => number;
}

const DashboardQuery = Type.Object({ days: Type.Optional(Type.String({ maxLength: 20 })) });

/** The dashboard (`?days=7|30|90`) and the CSV exports; registered inside adminRoutes, behind its owner guard. */
export function adminReportsRoutes(
  app: FastifyInstance,
  admin: Pick<AdminService, 'getDashboard'>,
  { reports, exports, clock }: AdminReportsRoutesOptions,
) {
  app.get('/admin', { schema: { querystring: DashboardQuery } }, async (request, reply) => {
    const days = (request.query as Static<typeof DashboardQuery>).days;
    const [report, dashboard] = await Promise.all([reports.getSalesReport(days), admin.getDashboard()]);
    return reply
      .header('cache-control', 'private, no-store')
      .render(<AdminDashboardPage ctx={await request.viewContext(reply)} dashboard={dashboard} report={report} />);
  });

  adminExportsRoutes(app, { exports, ...(clock ? { clock } : {}) });
}
