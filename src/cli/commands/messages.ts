import { wholeNumber, type Command } from '../command.js';
import { when } from '../format.js';

const listCommand: Command = {
  name: 'messages list',
  summary: 'Contact form messages, newest first',
  usage: '[--limit <n>] [--json]',
  args: { min: 0, max: 0 },
  options: { limit: { type: 'string' }, json: { type: 'boolean' } },
  help: 'At most --limit messages (default 20, up to 1000). Times are UTC.',
  async run(ctx) {
    const limit = wholeNumber(ctx.values.limit, '--limit', { max: 1000 }) ?? 20;
    const { contact } = await ctx.services();
    const messages = await contact.listMessages(limit);
    if (ctx.values.json) return ctx.out.json(messages);
    if (messages.length === 0) return ctx.out.line('No messages.');
    for (const m of messages) {
      ctx.out.line(`#${m.id}  ${when(m.created_at)} UTC  ${m.name} <${m.email}>${m.user_sub ? `  (account ${m.user_sub})` : ''}`);
      ctx.out.line(`Subject: ${m.subject}`);
      ctx.out.line(
        m.message
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n'),
      );
      ctx.out.line();
    }
  },
};

export const messagesCommands: Command[] = [listCommand];
