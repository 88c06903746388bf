import type { ViewContext } from '../pages/view-context.js';
import { plural } from '../platform/plural.js';
import { AdminFrame, AdminPagination, When } from './admin-frame.view.js';
import type { AdminMessageList } from './admin.service.js';

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

/** GET /admin/messages: what visitors wrote through the contact form, newest first. */
export function AdminMessagesPage({ ctx, list }: { ctx: ViewContext; list: AdminMessageList }) {
  const { messages, pagination } = list;
  return (
    <AdminFrame ctx={ctx} title="Contact messages" section="messages">
      <p class="result-count" role="status">
        {pagination.total === 0 ? 'No messages yet.' : `${plural(pagination.total, { one: 'message', other: 'messages' })}, newest first.`}
      </p>
      <ol class="admin-messages">
        {messages.map((m) => (
          <li>
            <article class="admin-message" data-message-id={m.id} aria-labelledby={`message-${m.id}`}>
              <header>
                <h2 id={`message-${m.id}`}>{m.subject}</h2>
                <p class="from">
                  {m.name} · <a href={replyHref(m.email, m.subject)}>{m.email}</a> · <When ms={m.created_at} />
                  {m.user_sub && <span class="sku"> account {m.user_sub}</span>}
                </p>
              </header>
              <p class="message-body">{m.message}</p>
            </article>
          </li>
        ))}
      </ol>
      <AdminPagination pagination={pagination} path="/admin/messages" params={{}} />
    </AdminFrame>
  );
}
