import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../../dev/smtp-sink.js';
import { createContactService } from '../../src/contact/contact.service.js';
import { createMailService, type MailService } from '../../src/platform/mail/mail.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp, SAME_ORIGIN_POST } from '../support/auth.js';
import { testDialects } from '../support/database.js';

/** /admin/messages: open/answered, the conversation, a reply through the outbox (from the shop, quoting), the marks; each audited. */
describe.each(testDialects)('admin messages on %s', (dialect) => {
  let idp: TestIdp;
  let t: TestApp;
  let sink: SmtpSink & { failing: boolean };
  let mail: MailService;
  let owner: LoggedIn;
  let serial = 0;

  beforeAll(async () => {
    idp = await startTestIdp();
    sink = await startSmtpSink();
    const env = { ...idp.env, SMTP_URL: sink.url, SHOP_EMAIL: 'owner@shop.test', MAIL_FROM: '"Test Shop" <shop@shop.test>' };
    t = await createTestApp(dialect, env);
    mail = createMailService({ db: t.db, smtpUrl: sink.url, from: '"Test Shop" <shop@shop.test>' });
    owner = await loginAs(t.app, 'owner');
  });
  afterAll(async () => {
    mail?.close();
    await t?.close();
    await sink?.close();
    await idp?.close();
  });

  /** A message as a visitor sends it; returns its id. */
  async function message(subject = `Question ${++serial}`) {
    const contact = createContactService({ db: t.db, mail, shopEmail: 'owner@shop.test', shopName: 'Test Shop' });
    await contact.sendMessage(
      { name: 'Ada Buyer', email: `ada${serial}@example.test`, subject, message: 'My key says invalid.\nCan you help?' },
      { ip: '203.0.113.1', userSub: null },
    );
    const row = await t.db.kysely.selectFrom('contact_messages').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
    await t.db.kysely.deleteFrom('mail_outbox').execute();
    return row.id;
  }
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: owner.cookie } });
  const post = (url: string, fields: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url,
      payload: new URLSearchParams(fields).toString(),
      headers: { ...SAME_ORIGIN_POST, 'content-type': 'application/x-www-form-urlencoded', cookie: owner.cookie },
    });
  const stateOf = async (id: number) =>
    (await t.db.kysely.selectFrom('contact_messages').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
  const audits = (id: number) =>
    t.db.kysely.selectFrom('owner_audit').selectAll().where('subject', '=', `message #${id}`).orderBy('id').execute();

  it('replies from the admin: stored in the conversation, mailed from the shop to the sender quoting them, message answered, audited', async () => {
    const id = await message('Key not working');
    expect(await stateOf(id)).toBe('open');
    const listed = await get('/admin/messages?status=open');
    expect(listed.body).toContain(`href="/admin/messages/${id}"`);
    expect(listed.body).toContain('message-status-open');

    const res = await post(`/admin/messages/${id}/reply`, { body: 'Hello Ada,\r\nhere is a new key.' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/admin/messages/${id}?done=sent`);
    expect(await stateOf(id)).toBe('answered');
    const page = await get(res.headers.location!);
    expect(page.headers['cache-control']).toBe('private, no-store');
    expect(page.body).toContain('Reply queued');
    expect(page.body).toContain('<p class="message-body">Hello Ada,\nhere is a new key.</p>');
    expect(page.body).toContain('<p class="message-body">My key says invalid.\nCan you help?</p>');
    expect(page.body).toContain('Mark open');

    expect(await mail.deliverDue()).toEqual({ sent: 1, failed: 0 });
    const [sent] = (await sink.waitFor(1)) as [ReceivedMail];
    expect(sent.to).toEqual([`ada${serial}@example.test`]);
    expect(sent.from).toBe('shop@shop.test');
    expect(sent.replyTo).toBe('owner@shop.test');
    expect(sent.subject).toBe('Re: Key not working');
    expect(sent.text).toContain('Hello Ada,\nhere is a new key.');
    expect(sent.text).toContain('Ada Buyer wrote:\n> My key says invalid.\n> Can you help?');

    // A second reply keeps the conversation in order.
    await post(`/admin/messages/${id}/reply`, { body: 'One more thing.' });
    const replies = await t.db.kysely.selectFrom('contact_replies').select('body').where('message_id', '=', id).orderBy('id').execute();
    expect(replies.map((r) => r.body)).toEqual(['Hello Ada,\nhere is a new key.', 'One more thing.']);
    const entries = await audits(id);
    expect(entries.map((e) => e.action)).toEqual(['message.reply', 'message.reply']);
    expect(JSON.parse(entries[0]!.before!)).toEqual({ status: 'open' });
  });

  it('refuses an empty reply beside the field, sending and storing nothing', async () => {
    const id = await message();
    const res = await post(`/admin/messages/${id}/reply`, { body: '  \n ' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="reply-body-error">Please write your reply.<');
    expect(res.body).toContain('aria-invalid="true"');
    expect(await stateOf(id)).toBe('open');
    expect(await t.db.kysely.selectFrom('contact_replies').selectAll().where('message_id', '=', id).execute()).toHaveLength(0);
    expect(await mail.countBacklog()).toBe(0);
    const long = await post(`/admin/messages/${id}/reply`, { body: 'x'.repeat(10_001) });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('A reply has at most 10,000 characters.');
  });

  it('answers 404 for a reply or mark on an unknown message, changing nothing', async () => {
    for (const url of ['/admin/messages/999999', '/admin/messages/abc']) expect((await get(url)).statusCode, url).toBe(404);
    expect((await post('/admin/messages/999999/reply', { body: 'Hello' })).statusCode).toBe(404);
    expect((await post('/admin/messages/0/status', { status: 'answered' })).statusCode).toBe(404);
    expect(await mail.countBacklog()).toBe(0);
  });

  it('marks a message answered and open again, filters by state, and records only real changes', async () => {
    const id = await message();
    expect((await post(`/admin/messages/${id}/status`, { status: 'answered' })).headers.location).toBe(
      `/admin/messages/${id}?done=answered`,
    );
    expect(await stateOf(id)).toBe('answered');
    expect((await get('/admin/messages?status=open')).body).not.toContain(`data-message-id="${id}"`);
    expect((await get('/admin/messages?status=answered')).body).toContain(`data-message-id="${id}"`);
    await post(`/admin/messages/${id}/status`, { status: 'answered' });
    await post(`/admin/messages/${id}/status`, { status: 'open' });
    expect(await stateOf(id)).toBe('open');
    expect((await audits(id)).map((e) => e.action)).toEqual(['message.mark_answered', 'message.mark_open']);
    expect((await post(`/admin/messages/${id}/status`, { status: 'closed' })).statusCode).toBe(400);
    const bad = await get('/admin/messages?status=closed');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Choose open or answered.');
  });
});
