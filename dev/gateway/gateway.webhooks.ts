import type { StripeObject } from './gateway.objects.js';
import { signatureHeader } from './gateway.signing.js';

/** The event types the store listens to; others are recorded but not sent unless enabled (like a Stripe endpoint's `enabled_events`). */
export const STORE_EVENTS = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
  'charge.refunded',
];

/** Stripe retries for days; the dev default is minutes, so a store restarted in time still gets its events. */
export const REALISTIC_RETRY_SCHEDULE = [5_000, 30_000, 2 * 60_000, 10 * 60_000, 60 * 60_000];

export interface DeliveryAttempt {
  /** epoch ms (gateway clock) */
  at: number;
  /** the receiver's HTTP status, or null when the request failed */
  status: number | null;
  error?: string;
}

export interface EventRecord {
  event: StripeObject & { type: string; created: number };
  /** `skipped`: no webhook URL, or a type the endpoint is not enabled for */
  state: 'pending' | 'delivered' | 'failed' | 'skipped';
  attempts: DeliveryAttempt[];
}

export interface DispatcherOptions {
  webhookUrl: string | null;
  secret: string;
  /** Delays before the 2nd, 3rd, … attempts (ms); the event fails after the last. */
  retrySchedule: number[];
  clock: () => number;
  /** Event types to send; `['*']` sends every event. */
  enabledEvents: string[];
  /** Per attempt, ms; Stripe waits up to some seconds too. */
  timeoutMs: number;
  onFailure?: (record: EventRecord) => void;
  /** A delivery attempt failed and will be retried after `delayMs`. */
  onRetry?: (record: EventRecord, delayMs: number) => void;
}

/**
 * Sends events to the store's webhook URL, signed as Stripe signs them, asynchronously and in the
 * background; a non-2xx answer or a network error is retried on the schedule with the same event
 * (same id and body) and a fresh signature timestamp, as Stripe does.
 */
export function createWebhookDispatcher(options: DispatcherOptions) {
  const records: EventRecord[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  const waiters = new Set<() => void>();
  let webhookUrl = options.webhookUrl;
  let closed = false;

  const wake = () => {
    for (const w of [...waiters]) w();
  };

  const sendsType = (type: string) => options.enabledEvents.includes('*') || options.enabledEvents.includes(type);

  async function attempt(record: EventRecord, payload: string): Promise<boolean> {
    const at = options.clock();
    try {
      const res = await fetch(webhookUrl!, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': signatureHeader(payload, options.secret, Math.floor(at / 1000)),
        },
        body: payload,
        signal: AbortSignal.timeout(options.timeoutMs),
        redirect: 'manual',
      });
      await res.arrayBuffer().catch(() => undefined);
      record.attempts.push({ at, status: res.status });
      return res.status >= 200 && res.status < 300;
    } catch (err) {
      record.attempts.push({
        at,
        status: null,
        error: err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err),
      });
      return false;
    }
  }

  function deliver(record: EventRecord, retryIndex: number) {
    if (closed || !webhookUrl) return;
    // Stripe sends the same bytes on every attempt; only the signature header changes.
    const payload = JSON.stringify(record.event, null, 2);
    const run = attempt(record, payload).then((ok) => {
      if (ok) record.state = 'delivered';
      else if (retryIndex >= options.retrySchedule.length) {
        record.state = 'failed';
        options.onFailure?.(record);
      } else if (!closed) {
        const delay = options.retrySchedule[retryIndex]!;
        options.onRetry?.(record, delay);
        const timer = setTimeout(() => {
          timers.delete(timer);
          deliver(record, retryIndex + 1);
        }, delay);
        timers.add(timer);
      }
      wake();
    });
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
  }

  return {
    /** Records the event and, if the endpoint takes its type (or `always`), starts delivering it. */
    dispatch(event: EventRecord['event'], always = false) {
      const record: EventRecord = { event, state: webhookUrl && (always || sendsType(event.type)) ? 'pending' : 'skipped', attempts: [] };
      records.push(record);
      if (record.state === 'pending') setImmediate(() => deliver(record, 0));
      wake();
    },

    /** Sends an event again (a new round of attempts with the same event id). */
    resend(eventId: string): EventRecord | undefined {
      const record = records.find((r) => r.event.id === eventId);
      if (!record || !webhookUrl) return record;
      record.state = 'pending';
      deliver(record, 0);
      return record;
    },

    records: () => records,

    /** Resolves with the first record matching `predicate`, waiting up to timeoutMs. */
    async waitFor(predicate: (r: EventRecord) => boolean, timeoutMs = 10_000): Promise<EventRecord> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = records.find(predicate);
        if (found) return found;
        if (Date.now() > deadline)
          throw new Error(
            `no matching webhook event within ${timeoutMs} ms; events: ${records.map((r) => `${r.event.type}:${r.state}`).join(', ') || 'none'}`,
          );
        await new Promise<void>((resolve) => {
          const done = () => {
            waiters.delete(done);
            clearTimeout(t);
            resolve();
          };
          const t = setTimeout(done, 50);
          waiters.add(done);
        });
      }
    },

    setWebhookUrl(url: string | null) {
      webhookUrl = url;
    },

    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...inFlight]);
    },
  };
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;
