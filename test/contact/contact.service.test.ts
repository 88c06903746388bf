import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../dev/smtp-sink.js';
import { createContactService } from '../../src/contact/contact.service.js';
import { createMailService, type MailService } from '../../src/platform/mail/mail.service.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';

const valid = { name: 'Ada Buyer', email: 'ada@example.test', subject: 'Key not working', message: 'My key says invalid, can you help?' };

describe.each(testDialects)('contact messages on %s', (dialect) => {
  let db: TestDatabase;
  let sink: SmtpSink & { failing: boolean };
  let mail: MailService;
  let contact: ReturnType<typeof createContactService>;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    sink = await startSmtpSink();
    mail = createMailService({ db, smtpUrl: sink.url, from: 'shop@example.test', baseBackoffMs: 0 });
    contact = createContactService({ db, mail, shopEmail: 'owner@example.test', shopName: 'Test Shop' });
  });
  afterAll(async () => {
    mail.close();
    await sink.close();
    await db.drop();
  });
  beforeEach(async () => {
    await db.kysely.deleteFrom('mail_outbox').execute();
    await db.kysely.deleteFrom('contact_messages').execute();
    sink.messages.length = 0;
    sink.failing = false;
  });

  it('stores the message and mails it to the shop', async () => {
    expect(await contact.sendMessage(valid, { ip: '203.0.113.9', userSub: 'user-1' })).toEqual({ stored: true });
    const [stored] = await contact.listMessages();
    expect(stored).toMatchObject({ ...valid, ip: '203.0.113.9', user_sub: 'user-1' });
    await mail.deliverDue();
    const [received] = await sink.waitFor(1);
    expect(received!.to).toEqual(['owner@example.test']);
    // "Reply" in the owner's mail client answers the visitor, not the shop itself.
    expect(received!.replyTo).toBe('ada@example.test');
    expect(received!.subject).toBe('[Test Shop] Contact: Key not working');
    expect(received!.text).toContain('from Ada Buyer <ada@example.test> (account user-1)');
    expect(received!.text).toContain('My key says invalid');
  });

  it('keeps the message when the mail server is down and mails it once it is back', async () => {
    sink.failing = true;
    await contact.sendMessage(valid, { ip: '203.0.113.9', userSub: null });
    expect(await mail.deliverDue()).toEqual({ sent: 0, failed: 1 });
    expect(await contact.listMessages()).toHaveLength(1);
    sink.failing = false;
    expect(await mail.deliverDue()).toEqual({ sent: 1, failed: 0 });
    expect(await mail.deliverDue()).toEqual({ sent: 0, failed: 0 });
    expect(sink.messages).toHaveLength(1);
  });

  it('names every bad field and stores nothing', async () => {
    await expect(
      contact.sendMessage({ name: ' ', email: 'not-an-email', subject: '', message: 'short' }, { ip: 'x', userSub: null }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      details: {
        fields: {
          name: 'Please tell us your name (up to 100 characters).',
          email: 'Please enter a valid email address so we can answer.',
          subject: 'Please add a subject (up to 150 characters).',
          message: 'Your message should be between 10 and 5,000 characters.',
        },
      },
    });
    await expect(contact.sendMessage({ ...valid, message: 'x'.repeat(5001) }, { ip: 'x', userSub: null })).rejects.toMatchObject({
      details: { fields: { message: 'Your message should be between 10 and 5,000 characters.' } },
    });
    expect(await contact.listMessages()).toHaveLength(0);
    expect(await mail.countBacklog()).toBe(0);
  });

  it('drops a message whose honeypot is filled, without telling the bot', async () => {
    expect(await contact.sendMessage({ ...valid, website: 'http://spam.example' }, { ip: 'x', userSub: null })).toEqual({ stored: false });
    expect(await contact.listMessages()).toHaveLength(0);
    expect(await mail.countBacklog()).toBe(0);
  });
});
