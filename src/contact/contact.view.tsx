import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';
import type { ContactFieldErrors, ContactInput } from './contact.service.js';

interface ContactPageProps {
  ctx: ViewContext;
  sent?: boolean;
  values?: Partial<ContactInput>;
  errors?: ContactFieldErrors;
}

const fields: Array<{ name: 'name' | 'email' | 'subject'; label: string; type: 'text' | 'email'; autocomplete: string; max: number }> = [
  { name: 'name', label: 'Your name', type: 'text', autocomplete: 'name', max: 100 },
  { name: 'email', label: 'Email address', type: 'email', autocomplete: 'email', max: 254 },
  { name: 'subject', label: 'Subject', type: 'text', autocomplete: 'off', max: 150 },
];

/** GET /contact: the form, its field errors after a failed post, or the confirmation. */
export function ContactPage({ ctx, sent, values = {}, errors = {} }: ContactPageProps) {
  const failed = Object.keys(errors).length > 0;
  return (
    <Layout ctx={ctx} title="Contact us">
      <section class="contact">
        <h1>Contact us</h1>
        {sent && (
          <p class="notice success" role="status">
            Thank you! Your message has been sent. We usually answer within one working day.
          </p>
        )}
        {failed && (
          <p class="notice error" role="alert">
            Please correct the highlighted fields.
          </p>
        )}
        <p>Questions about an order, a license key or a download? Write to us here.</p>
        <form method="post" action="/contact" class="form" novalidate>
          {fields.map((f) => (
            <div class={errors[f.name] ? 'field invalid' : 'field'}>
              <label for={`contact-${f.name}`}>{f.label}</label>
              <input
                id={`contact-${f.name}`}
                name={f.name}
                // Preact's input typing accepts one literal type per element, not a union.
                type={f.type as 'text'}
                required
                maxLength={f.max}
                autocomplete={f.autocomplete}
                value={values[f.name] ?? (f.name === 'email' ? ctx.user?.email : f.name === 'name' ? ctx.user?.name : '') ?? ''}
                aria-invalid={errors[f.name] ? 'true' : undefined}
                aria-describedby={errors[f.name] ? `contact-${f.name}-error` : undefined}
              />
              {errors[f.name] && (
                <p class="field-error" id={`contact-${f.name}-error`}>
                  {errors[f.name]}
                </p>
              )}
            </div>
          ))}
          <div class={errors.message ? 'field invalid' : 'field'}>
            <label for="contact-message">Message</label>
            <textarea
              id="contact-message"
              name="message"
              rows={8}
              required
              maxLength={5000}
              aria-invalid={errors.message ? 'true' : undefined}
              aria-describedby={errors.message ? 'contact-message-error' : undefined}
            >
              {values.message ?? ''}
            </textarea>
            {errors.message && (
              <p class="field-error" id="contact-message-error">
                {errors.message}
              </p>
            )}
          </div>
          <div class="hp" aria-hidden="true">
            <label for="contact-website">Leave this field empty</label>
            <input id="contact-website" name="website" type="text" tabIndex={-1} autocomplete="off" value="" />
          </div>
          <button type="submit" class="button primary">
            Send message
          </button>
        </form>
      </section>
    </Layout>
  );
}
