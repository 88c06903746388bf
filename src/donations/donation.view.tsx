import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';
import { formatMoney, minorUnitDigits } from '../platform/money.js';
import { toMajorString, type DonationLimits } from './donation-amount.js';
import { MESSAGE_MAX, type DonationFieldErrors, type DonationForm } from './donation-form.js';
import type { DonationRow } from './donations.repo.js';

export interface DonateNotice {
  tone: 'info' | 'error';
  text: string;
}

interface DonatePageProps {
  ctx: ViewContext;
  limits: DonationLimits;
  values?: Partial<DonationForm>;
  errors?: DonationFieldErrors;
  notice?: DonateNotice;
}

/** A preset button's label: whole amounts without cents (€10, not €10.00). */
function presetLabel(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  if (minor % 10 ** digits !== 0) return formatMoney(minor, currency);
  return new Intl.NumberFormat('en', { style: 'currency', currency, minimumFractionDigits: 0, maximumFractionDigits: 0 }).format(
    minor / 10 ** digits,
  );
}

const described = (id: string, error?: string, hint?: string) =>
  [hint, error ? `${id}-error` : undefined].filter(Boolean).join(' ') || undefined;

/** GET /donate: preset amounts, another amount, an optional message and receipt address. Works without JavaScript. */
export function DonatePage({ ctx, limits, values = {}, errors = {}, notice }: DonatePageProps) {
  const money = (n: number) => formatMoney(n, limits.currency);
  const failed = Object.keys(errors).length > 0;
  const choice = values.amount_choice ?? '';
  const accountEmail = ctx.user?.email || null;
  return (
    <Layout ctx={ctx} title="Donate" description={`Support ${ctx.shopName} with a donation.`}>
      <section class="donate">
        <h1>Support {ctx.shopName}</h1>
        {notice && (
          <p class={notice.tone === 'error' ? 'notice error' : 'notice'} role={notice.tone === 'error' ? 'alert' : 'status'}>
            {notice.text}
          </p>
        )}
        {failed && (
          <p class="notice error" role="alert">
            Please correct the highlighted fields.
          </p>
        )}
        <p>
          Donations help us keep the shop running and the tools free for everyone. You can give from {money(limits.min)} to{' '}
          {money(limits.max)}; you pay securely on our payment provider’s page.
        </p>
        <form method="post" action="/donate" class="form donate-form" novalidate>
          <fieldset
            class={errors.amount ? 'donate-amounts invalid' : 'donate-amounts'}
            aria-describedby={described('donate-amount', errors.amount)}
          >
            <legend>Amount</legend>
            <div class="donate-presets">
              {limits.presets.map((p) => (
                <label>
                  <input
                    type="radio"
                    name="amount_choice"
                    value={toMajorString(p, limits.currency)}
                    checked={choice === toMajorString(p, limits.currency)}
                  />
                  {presetLabel(p, limits.currency)}
                </label>
              ))}
              <label>
                <input type="radio" name="amount_choice" value="other" checked={choice === 'other'} />
                Other amount
              </label>
            </div>
            <div class={errors.amount ? 'field invalid' : 'field'}>
              <label for="donate-amount">Other amount ({limits.currency})</label>
              <input
                id="donate-amount"
                name="amount"
                type="text"
                inputmode="decimal"
                autocomplete="off"
                maxLength={20}
                value={values.amount ?? ''}
                aria-invalid={errors.amount ? 'true' : undefined}
                aria-describedby={described('donate-amount', errors.amount, 'donate-amount-hint')}
              />
              <p class="field-hint" id="donate-amount-hint">
                Choose “Other amount” and type any amount from {money(limits.min)} to {money(limits.max)}.
              </p>
              {errors.amount && (
                <p class="field-error" id="donate-amount-error">
                  {errors.amount}
                </p>
              )}
            </div>
          </fieldset>
          <div class={errors.message ? 'field invalid' : 'field'}>
            <label for="donate-message">Message (optional)</label>
            <textarea
              id="donate-message"
              name="message"
              rows={4}
              maxLength={MESSAGE_MAX}
              aria-invalid={errors.message ? 'true' : undefined}
              aria-describedby={described('donate-message', errors.message, 'donate-message-hint')}
            >
              {values.message ?? ''}
            </textarea>
            <p class="field-hint" id="donate-message-hint">
              Up to {MESSAGE_MAX} characters, for the shop’s owner.
            </p>
            {errors.message && (
              <p class="field-error" id="donate-message-error">
                {errors.message}
              </p>
            )}
          </div>
          <div class={errors.email ? 'field invalid' : 'field'}>
            <label for="donate-email">{accountEmail ? 'Receipt goes to' : 'Email for your receipt (optional)'}</label>
            {accountEmail ? (
              <input id="donate-email" type="email" value={accountEmail} readOnly aria-describedby="donate-email-hint" />
            ) : (
              <input
                id="donate-email"
                name="email"
                type="email"
                autocomplete="email"
                maxLength={254}
                value={values.email ?? ''}
                aria-invalid={errors.email ? 'true' : undefined}
                aria-describedby={described('donate-email', errors.email, 'donate-email-hint')}
              />
            )}
            <p class="field-hint" id="donate-email-hint">
              {accountEmail ? 'The address of your account.' : 'Leave it empty to give without a receipt.'}
            </p>
            {errors.email && (
              <p class="field-error" id="donate-email-error">
                {errors.email}
              </p>
            )}
          </div>
          <button type="submit" class="button primary">
            Continue to payment
          </button>
        </form>
      </section>
    </Layout>
  );
}

const endMessages: Record<string, string> = {
  failed: 'The payment did not go through and nothing was charged.',
  cancelled: 'The donation was cancelled; nothing was charged.',
  expired: 'The payment was not completed in time; nothing was charged.',
  needs_attention: 'Your payment arrived, but not for the amount of this donation. We will refund it and write to you.',
  refunded: 'This donation has been refunded.',
};

/** GET /donate/thanks: the thank-you, or a page that refreshes itself until the payment is confirmed. */
export function DonationThanksPage({ ctx, donation }: { ctx: ViewContext; donation: DonationRow }) {
  const amount = formatMoney(donation.amount, donation.currency);
  const waiting = donation.status === 'pending';
  const paid = donation.status === 'paid';
  const title = waiting ? 'Waiting for confirmation' : paid ? 'Thank you!' : 'Donation';
  return (
    <Layout ctx={ctx} title={title} head={waiting ? <meta http-equiv="refresh" content="3" /> : undefined}>
      <section class="donate-thanks" data-donation-status={donation.status} aria-live="polite">
        <h1>{waiting ? 'Waiting for confirmation…' : paid ? 'Thank you!' : 'Your donation'}</h1>
        <p class={paid ? 'notice success' : 'notice'} role="status">
          {waiting
            ? `We are waiting for the payment provider to confirm your donation of ${amount}. This page refreshes by itself.`
            : paid
              ? `Thank you for your donation of ${amount}!`
              : (endMessages[donation.status] ?? 'This donation is being reviewed.')}
        </p>
        {paid && donation.email && <p>A receipt is on its way to {donation.email}.</p>}
        {!waiting && !paid && (
          <p>
            <a class="button primary" href="/donate">
              Donate again
            </a>
          </p>
        )}
        {paid && (
          <p>
            <a href="/">Back to the shop</a>
          </p>
        )}
      </section>
    </Layout>
  );
}
