import type { AuditEntry } from '../audit/audit.service.js';
import { TableScroll } from '../pages/table-scroll.view.js';
import type { ViewContext } from '../pages/view-context.js';
import type { Pagination } from '../platform/pagination.js';
import { plural } from '../platform/plural.js';
import { AdminFrame, AdminPagination, When } from './admin-frame.view.js';

/** Before/after as short "field: value" lines (long text cut: the log says what changed, not the whole page). */
function Values({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span class="none">—</span>;
  const entries = typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : [['', value] as [string, unknown]];
  return (
    <ul class="audit-values">
      {entries.map(([k, v]) => {
        const text = typeof v === 'string' ? v : JSON.stringify(v);
        return (
          <li>
            {k && <span class="audit-key">{k}: </span>}
            {text.length > 120 ? `${text.slice(0, 120)}…` : text}
          </li>
        );
      })}
    </ul>
  );
}

/** GET /admin/audit: every change the owner made here, newest first. */
export function AdminAuditPage({ ctx, entries, pagination }: { ctx: ViewContext; entries: AuditEntry[]; pagination: Pagination }) {
  return (
    <AdminFrame ctx={ctx} title="Audit log" section="audit">
      <p class="result-count" role="status">
        {pagination.total === 0 ? 'No changes yet.' : `${plural(pagination.total, { one: 'change', other: 'changes' })}, newest first.`}
      </p>
      {entries.length > 0 && (
        <TableScroll label="Audit log">
          <table class="admin-table admin-audit">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Subject</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr data-audit-id={e.id}>
                  <td>
                    <When ms={e.at} />
                  </td>
                  <td>{e.actorEmail}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>{e.subject}</td>
                  <td class="audit-before">
                    <Values value={e.before} />
                  </td>
                  <td class="audit-after">
                    <Values value={e.after} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <AdminPagination pagination={pagination} path="/admin/audit" params={{}} />
    </AdminFrame>
  );
}
