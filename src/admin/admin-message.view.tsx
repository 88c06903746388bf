import type { ViewContext } from '../pages/view-context.js';
import { AdminFrame, When } from './admin-frame.view.js';
import type { AdminConversation } from './admin-messages.service.js';
import { MessageState } from './admin-messages.view.js';

export const messageNotices = {
  sent: 'Reply queued: it goes out through the outbox, and the message is marked answered.',
  open: 'Marked open.',
  answered: 'Marked answered.',
} as const;
export type MessageNotice = keyof typeof messageNotices;

/** GET /admin/messages/:id: the message, the replies sent so far, the reply form and the open/answered buttons. */
export function AdminMessagePage(props: {
  ctx: ViewContext;
  conversation: AdminConversation;
  notice?: MessageNotice | null;
  body?: string;
  error?: string | null;
}) {
  const { ctx, conversation, notice, body = '', error } = props;
  const { message: m, replies } = conversation;
  const base = `/admin/messages/${m.id}`;
  return (
    <AdminFrame ctx={ctx} title={m.subject} section="messages">
      {notice && (
        <p class="notice success" role="status">
          {messageNotices[notice]}
        </p>
      )}
      {error && (
        <p class="notice error" role="alert">
          Nothing was sent. Please correct the highlighted field.
        </p>
      )}
      <p>
        <a href="/admin/messages">All messages</a>
      </p>
      <form method="post" action={`${base}/status`} class="inline-form message-state-form">
        <p>
          <MessageState status={m.status} />
        </p>
        {m.status === 'open' ? (
          <button type="submit" name="status" value="answered" class="secondary">
            Mark answered
          </button>
        ) : (
          <button type="submit" name="status" value="open" class="secondary">
            Mark open
          </button>
        )}
      </form>
      <ol class="admin-messages conversation">
        <li>
          <article class="admin-message" aria-labelledby="conversation-message">
            <header>
              <h2 id="conversation-message">
                {m.name} &lt;{m.email}&gt;
              </h2>
              <p class="from">
                <When ms={m.created_at} />
                {m.user_sub && <span class="sku"> account {m.user_sub}</span>}
              </p>
            </header>
            <p class="message-body">{m.message}</p>
          </article>
        </li>
        {replies.map((r) => (
          <li>
            <article class="admin-message reply" data-reply-id={r.id} aria-labelledby={`reply-${r.id}`}>
              <header>
                <h2 id={`reply-${r.id}`}>Reply from {r.author_email}</h2>
                <p class="from">
                  <When ms={r.created_at} />
                </p>
              </header>
              <p class="message-body">{r.body}</p>
            </article>
          </li>
        ))}
      </ol>
      <h2>Reply</h2>
      <form class="admin-product-form" method="post" action={`${base}/reply`} novalidate>
        <div class={error ? 'field invalid' : 'field'}>
          <label for="reply-body">Your answer to {m.email}</label>
          <p class="field-hint" id="reply-body-hint">
            Sent from the shop with the subject “Re: {m.subject}” and their message quoted below; their reply comes back to the shop.
          </p>
          <textarea
            id="reply-body"
            name="body"
            rows={8}
            required
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'reply-body-hint reply-body-error' : 'reply-body-hint'}
          >
            {body}
          </textarea>
          {error && (
            <p class="field-error" id="reply-body-error">
              {error}
            </p>
          )}
        </div>
        <div class="form-actions">
          <button type="submit">Send reply</button>
        </div>
      </form>
    </AdminFrame>
  );
}
