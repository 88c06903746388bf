import type { ViewContext } from '../pages/view-context.js';
import { plural } from '../platform/plural.js';
import { AdminFrame, AdminPagination, When } from './admin-frame.view.js';
import type { AdminMessageList } from './admin-messages.service.js';

/**
 * A mailto: link that answers a message. Each part is percent-encoded (RFC 6068), so an address
 * holding `?` or `&` cannot add recipients or headers of its own.
 */
export function replyHref(email: string, subject: string): string {
  const at = email.lastIndexOf('@');
  const address =
    at < 0 ? encodeURIComponent(email) : `${encodeURIComponent(email.slice(0, at))}@${encodeURIComponent(email.slice(at + 1))}`;
  return `mailto:${address}?subject=${encodeURIComponent(`Re: ${subject}`)}`;
}

export const messageStateLabels: Record<string, string> = { open: 'Open', answered: 'Answered' };

/** A message's state as a badge. */
export function MessageState({ status }: { status: string }) {
  return <span class={`status message-status-${status}`}>{messageStateLabels[status] ?? status}</span>;
}

/** GET /admin/messages: what visitors wrote through the contact form, newest first, open or answered. */
export function AdminMessagesPage({ ctx, list }: { ctx: ViewContext; list: AdminMessageList }) {
  const { status, messages, pagination } = list;
  const kind = status ? `${status} ` : '';
  return (
    <AdminFrame ctx={ctx} title="Contact messages" section="messages">
      <form class="admin-filters" method="get" action="/admin/messages" aria-label="Filter messages">
        <div class="field">
          <label for="admin-message-status">State</label>
          <select id="admin-message-status" name="status">
            <option value="" selected={status === null}>
              Open and answered
            </option>
            {Object.entries(messageStateLabels).map(([s, label]) => (
              <option value={s} selected={s === status}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Show</button>
      </form>
      <p class="result-count" role="status">
        {pagination.total === 0
          ? `No ${kind}messages.`
          : `${plural(pagination.total, { one: `${kind}message`, other: `${kind}messages` })}, newest first.`}
      </p>
      <ol class="admin-messages">
        {messages.map((m) => (
          <li>
            <article class={`admin-message message-${m.status}`} data-message-id={m.id} aria-labelledby={`message-${m.id}`}>
              <header>
                <h2 id={`message-${m.id}`}>{m.subject}</h2>
                <p class="from">
                  <MessageState status={m.status} /> {m.name} · <a href={replyHref(m.email, m.subject)}>{m.email}</a> ·{' '}
                  <When ms={m.created_at} />
                  {m.user_sub && <span class="sku"> account {m.user_sub}</span>}
                </p>
              </header>
              <p class="message-body">{m.message}</p>
              <p>
                <a class="button secondary" href={`/admin/messages/${m.id}`} aria-label={`Reply to “${m.subject}”`}>
                  {m.status === 'answered' ? 'Conversation' : 'Reply'}
                </a>
              </p>
            </article>
          </li>
        ))}
      </ol>
      <AdminPagination pagination={pagination} path="/admin/messages" params={{ status }} />
    </AdminFrame>
  );
}
