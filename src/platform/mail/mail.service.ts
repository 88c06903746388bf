import nodemailer, { type Transporter } from 'nodemailer';
import type { Database, Executor } from '../db/db.js';
import { createOutboxRepo, type OutgoingMail } from './outbox.repo.js';

export interface MailServiceDeps {
  db: Database;
  smtpUrl: string;
  from: string;
  clock?: () => number;
  /** Give up on a mail after this many failed attempts (it stays in the outbox with its error). */
  maxAttempts?: number;
  /** The first retry waits this long; each further one twice as long, up to an hour. */
  baseBackoffMs?: number;
  leaseMs?: number;
}

/** Outgoing mail through a transactional outbox: enqueue in the caller's transaction, send later. */
export function createMailService({
  db,
  smtpUrl,
  from,
  clock = Date.now,
  maxAttempts = 8,
  baseBackoffMs = 30_000,
  leaseMs = 60_000,
}: MailServiceDeps) {
  const repo = createOutboxRepo(db);
  // Short timeouts: a hung mail server must not hold the worker; the mail is retried later.
  const transport: Transporter = nodemailer.createTransport(
    { url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 } as never,
    { from },
  );

  const backoff = (attempts: number) => Math.min(baseBackoffMs * 2 ** Math.max(0, attempts - 1), 3_600_000);

  /** Sends every due mail once; a failure schedules the next attempt instead of losing the mail. */
  async function deliverDue(limit = 20): Promise<{ sent: number; failed: number }> {
    const claimed = await repo.claimDue(clock(), limit, leaseMs);
    // Marked sent together once the batch is through: one statement per pass, not one per mail. A
    // crash in between sends them again after the lease, as a crash after each send would.
    const sent: number[] = [];
    let failed = 0;
    for (const mail of claimed) {
      try {
        await transport.sendMail({
          to: mail.recipient,
          subject: mail.subject,
          text: mail.text_body,
          ...(mail.html_body ? { html: mail.html_body } : {}),
          ...(mail.reply_to ? { replyTo: mail.reply_to } : {}),
        });
        sent.push(mail.id);
      } catch (err) {
        const attempts = Number(mail.attempts);
        await repo.markFailed(mail.id, (err as Error).message, attempts >= maxAttempts ? null : clock() + backoff(attempts));
        failed++;
      }
    }
    await repo.markSent(sent, clock());
    return { sent: sent.length, failed };
  }

  return {
    /** Queues a mail; pass the transaction of the event that causes it so both commit or neither. */
    enqueue(mail: OutgoingMail, tx?: Executor): Promise<void> {
      return repo.insertMail(mail, clock(), tx);
    },
    deliverDue,
    /** Unsent mails, for metrics and the owner. */
    countBacklog: () => repo.countBacklog(),
    /** Polls the outbox every intervalMs until stopped; one pass at a time. */
    startWorker(intervalMs: number, onError: (err: unknown) => void = () => undefined) {
      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      let running: Promise<unknown> = Promise.resolve();
      const tick = () => {
        running = deliverDue()
          .catch(onError)
          .finally(() => {
            if (!stopped) timer = setTimeout(tick, intervalMs);
          });
      };
      timer = setTimeout(tick, 0);
      return {
        async stop() {
          stopped = true;
          clearTimeout(timer);
          await running;
        },
      };
    },
    close: () => transport.close(),
  };
}

export type MailService = ReturnType<typeof createMailService>;
