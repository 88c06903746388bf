import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../dev/smtp-sink.js';
import { createMailService } from '../../src/platform/mail/mail.service.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';

describe.each(testDialects)('mail outbox on %s', (dialect) => {
  let db: TestDatabase;
  let sink: SmtpSink & { failing: boolean };
  let now = 1_800_000_000_000;
  const clock = () => now;
  const service = () =>
    createMailService({ db, smtpUrl: sink.url, from: 'Shop <shop@example.test>', clock, baseBackoffMs: 1000, maxAttempts: 3 });

  beforeAll(async () => {
    db = await createTestDatabase(dialect, { poolSize: 8 });
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
    await db.drop();
  });
  beforeEach(async () => {
    await db.kysely.deleteFrom('mail_outbox').execute();
    sink.messages.length = 0;
    sink.failing = false;
  });

  it('sends a queued mail through real SMTP', async () => {
    const mail = service();
    await mail.enqueue({
      recipient: 'buyer@example.test',
      subject: 'Your order ✓',
      textBody: 'Thanks for your order.',
      htmlBody: '<p>Thanks</p>',
    });
    expect(await mail.countBacklog()).toBe(1);
    expect(await mail.deliverDue()).toEqual({ sent: 1, failed: 0 });
    const [received] = await sink.waitFor(1);
    expect(received).toMatchObject({ to: ['buyer@example.test'], subject: 'Your order ✓', html: '<p>Thanks</p>' });
    expect(received!.text.trim()).toBe('Thanks for your order.');
    expect(await mail.countBacklog()).toBe(0);
    expect(await mail.deliverDue()).toEqual({ sent: 0, failed: 0 });
    mail.close();
  });

  it('a pass over several due mails costs two statements (lease them, mark them sent), an idle pass one', async () => {
    const mail = service();
    for (const n of [1, 2, 3]) await mail.enqueue({ recipient: `buyer${n}@example.test`, subject: `Receipt ${n}`, textBody: 'Thanks.' });
    const sent: string[] = [];
    db.onStatement((q) => sent.push(q));
    try {
      expect(await mail.deliverDue()).toEqual({ sent: 3, failed: 0 });
      expect(sent).toHaveLength(2);
      sent.length = 0;
      expect(await mail.deliverDue()).toEqual({ sent: 0, failed: 0 });
      expect(sent).toHaveLength(1);
    } finally {
      db.onStatement(null);
    }
    expect(await mail.countBacklog()).toBe(0);
    expect((await sink.waitFor(3)).map((m) => m.subject).sort()).toEqual(['Receipt 1', 'Receipt 2', 'Receipt 3']);
    mail.close();
  });

  it('keeps a mail when the server is down and delivers it once when it is back', async () => {
    const mail = service();
    await mail.enqueue({ recipient: 'owner@example.test', subject: 'Contact', textBody: 'Hello' });
    sink.failing = true;
    expect(await mail.deliverDue()).toEqual({ sent: 0, failed: 1 });
    const [row] = await db.kysely.selectFrom('mail_outbox').selectAll().execute();
    expect(row!.last_error).toContain('Service unavailable');
    expect(row!.next_attempt_at).toBe(now + 1000);
    // Not due yet: nothing is attempted.
    sink.failing = false;
    expect(await mail.deliverDue()).toEqual({ sent: 0, failed: 0 });
    now += 1000;
    expect(await mail.deliverDue()).toEqual({ sent: 1, failed: 0 });
    now += 60_000;
    expect(await mail.deliverDue()).toEqual({ sent: 0, failed: 0 });
    expect(sink.messages).toHaveLength(1);
    mail.close();
  });

  it('gives up after the last attempt and keeps the error', async () => {
    const mail = service();
    await mail.enqueue({ recipient: 'x@example.test', subject: 'S', textBody: 'T' });
    sink.failing = true;
    for (let i = 0; i < 3; i++) {
      expect((await mail.deliverDue()).failed).toBe(1);
      now += 10_000;
    }
    now += 10_000_000;
    expect(await mail.deliverDue()).toEqual({ sent: 0, failed: 0 });
    expect(await mail.countBacklog()).toBe(1);
    mail.close();
  });

  it('does not send a mail whose transaction rolled back', async () => {
    const mail = service();
    await expect(
      db.transaction(async (tx) => {
        await mail.enqueue({ recipient: 'r@example.test', subject: 'S', textBody: 'T' }, tx);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await mail.countBacklog()).toBe(0);
    mail.close();
  });

  it('sends each mail once with two workers polling at the same time', async () => {
    const a = service();
    const b = service();
    for (let i = 0; i < 30; i++) await a.enqueue({ recipient: `r${i}@example.test`, subject: `Mail ${i}`, textBody: 'T' });
    const limits = [5, 5, 5, 5, 10, 10];
    const results = await Promise.all(limits.map((limit, i) => (i % 2 ? b : a).deliverDue(limit)));
    results.forEach((r, i) => expect(r.sent).toBeLessThanOrEqual(limits[i]!));
    const sent = results.reduce((n, r) => n + r.sent, 0);
    expect(sent).toBe(30);
    await sink.waitFor(30);
    const subjects = sink.messages.map((m) => m.subject).sort();
    expect(new Set(subjects).size).toBe(30);
    expect(subjects).toHaveLength(30);
    a.close();
    b.close();
  });
});
