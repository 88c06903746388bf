import { isInstanceId } from '../../licenses/license-status.js';
import { createLicensesService } from '../../licenses/licenses.service.js';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { cliActor } from '../context.js';

/** The licenses service from the CLI's services (built here: the CLI context does not list it). */
async function licensesOf(ctx: CommandContext) {
  const s = await ctx.services();
  return createLicensesService({ db: s.db, secrets: s.secrets, orders: s.orders, fulfilment: s.fulfilment, clock: ctx.clock });
}

const day = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace('T', ' ').slice(0, 16));

const listCommand: Command = {
  name: 'licenses list',
  summary: 'License keys of an order (or by key hash) with their activations',
  usage: '<order-id|key-hash-prefix> [--json]',
  args: { min: 1, max: 1 },
  options: { json: { type: 'boolean' } },
  help: `
Lists each delivered key of an order (ord_…), or the keys whose lookup hash begins with the given
hex digits (at least 8), with its status (inactive, active, revoked), its activation limit and
every instance ever activated on it, deactivated ones included. Keys themselves are never
printed: a key is identified by its hash, as the admin pages show it.

Options:
  --json   the listing as JSON`,
  async run(ctx) {
    const list = await (await licensesOf(ctx)).listForOwner(ctx.positionals[0]!);
    if (ctx.values.json) return ctx.out.json(list);
    if (list.length === 0) return ctx.out.line('No license keys found.');
    list.forEach((l, n) => {
      const active = l.instances.filter((i) => i.deactivatedAt === null).length;
      if (n > 0) ctx.out.line();
      ctx.out.line(
        `key ${l.keyHash.slice(0, 16)}  ${l.orderId}  ${l.sku} unit ${l.unit + 1}  ${l.status}  ${active} of ${l.activationLimit ?? 'unlimited'} activations`,
      );
      if (l.instances.length === 0) return ctx.out.line('no instances');
      ctx.out.table(l.instances, [
        ['instance', (i) => i.id],
        ['name', (i) => i.name],
        ['activated', (i) => day(i.createdAt)],
        ['deactivated', (i) => day(i.deactivatedAt)],
      ]);
    });
  },
};

const revokeCommand: Command = {
  name: 'licenses revoke-activation',
  summary: 'Deactivate an instance of a license key, freeing its slot',
  usage: '<instance-id>',
  args: { min: 1, max: 1 },
  help: `
Deactivates one instance (inst_…, from \`licenses list\`): the vendor's software on it gets
instance_not_found from then on, and the key has a free slot again. The buyer may activate
another instance; to end a key for good, refund it.`,
  async run(ctx) {
    const id = ctx.positionals[0]!.trim();
    if (!isInstanceId(id)) throw new UsageError(`"${id}" is not an instance id (inst_ and 24 hex digits).`);
    const licenses = await licensesOf(ctx);
    const { audit } = await ctx.services();
    const actor = cliActor();
    // No admin page frees a slot: the audit row is written here, in the deactivation's transaction.
    const done = await licenses.revokeActivation(id, (tx, r) =>
      audit.recordOwnerAction(
        { actor, action: 'license.activation.revoke', subject: r.id, before: { name: r.name, activatedAt: day(r.activatedAt) } },
        tx,
      ),
    );
    ctx.out.line(`Deactivated ${done.id} (${done.name}); its slot is free again.`);
  },
};

export const licensesCommands: Command[] = [listCommand, revokeCommand];
