import { randomBytes } from 'node:crypto';
import { createKeySigner, loadSigningKey } from '../../fulfilment/signed-key.js';
import { AppError } from '../../platform/errors.js';
import { stringOption, UsageError, type Command } from '../command.js';
import { rotateEncryption } from '../rotate/rotation.service.js';

const b64 = (key: Buffer) => key.toString('base64');

const rotateEncryptionCommand: Command = {
  name: 'keys rotate-encryption',
  summary: 'Re-seal every encrypted value and lookup hash under a new ENCRYPTION_KEY',
  usage: '[--new-key <base64>]',
  args: { min: 0, max: 0 },
  options: { 'new-key': { type: 'string' } },
  help: `
Re-seals license keys (pools and delivered), session tokens and login transactions under a new
key, and recomputes the keys' lookup hashes, in batches of 2000 (each its own transaction). Values
are opened with ENCRYPTION_KEY, ENCRYPTION_KEYS_PREVIOUS and the new key. A run that stops part
way is resumed by running it again with the same --new-key: values already under it are skipped.

Without --new-key a new random key is generated and printed before anything is changed.

With downtime (simplest): stop the store, run this, set ENCRYPTION_KEY=<new> and
ENCRYPTION_KEYS_PREVIOUS=<old>, start the store.

Without downtime (every step reaches every instance before the next begins):
  1. Restart every instance with ENCRYPTION_KEYS_PREVIOUS=<new> (ENCRYPTION_KEY stays <old>).
  2. Restart every instance with ENCRYPTION_KEY=<new> and ENCRYPTION_KEYS_PREVIOUS=<old>.
  3. Run this with --new-key <new> and that configuration.
  4. Remove <old> from ENCRYPTION_KEYS_PREVIOUS and restart every instance.
License keys are looked up under every configured key, so the license API finds every key
throughout. Import no keys from step 2 until this has finished: the duplicate check of an import
compares hashes under ENCRYPTION_KEY only. If values were still written under another key while
this ran, it says so and exits with 1: run it again once every instance is on the new key.`,
  async run(ctx) {
    const given = stringOption(ctx.values['new-key']);
    if (given !== undefined && Buffer.from(given, 'base64').length !== 32)
      throw new UsageError('--new-key must be 32 bytes, base64 encoded (openssl rand -base64 32).');
    const target = given ? Buffer.from(given, 'base64') : randomBytes(32);
    const { config } = ctx;
    if (!given) {
      ctx.out.line(`New encryption key: ${b64(target)}`);
      ctx.out.line(`Keep it now: if this run stops part way, run again with --new-key ${b64(target)}.`);
    }
    const { db } = await ctx.services();
    const { tables, left } = await rotateEncryption(
      { db, current: config.encryptionKey, previous: config.previousEncryptionKeys },
      target,
      ctx.out.progress,
    );
    for (const r of tables)
      ctx.out.line(`  ${r.table}: ${r.resealed} re-sealed${r.rehashed ? `, ${r.rehashed} lookup hashes corrected` : ''}`);
    if (left > 0)
      throw new AppError(
        'values_left_under_other_key',
        `${left} values were sealed under another key while this ran: an instance still seals with it. Once every instance runs with ENCRYPTION_KEY=${b64(target)}, run this again with --new-key ${b64(target)}; keep the old key in ENCRYPTION_KEYS_PREVIOUS until then.`,
      );
    if (target.equals(config.encryptionKey)) {
      ctx.out.line('Every value is sealed under ENCRYPTION_KEY now: ENCRYPTION_KEYS_PREVIOUS can be removed from every instance.');
      return;
    }
    const keep = [config.encryptionKey, ...config.previousEncryptionKeys].filter((k) => !k.equals(target)).map(b64);
    ctx.out.line('Every value is sealed under the new key. Set on every instance and restart it:');
    ctx.out.line(`  ENCRYPTION_KEY=${b64(target)}`);
    ctx.out.line(`  ENCRYPTION_KEYS_PREVIOUS=${keep.join(',')}`);
    ctx.out.line(
      `If an instance ran on the old key during this, run again with --new-key ${b64(target)} once every instance uses the new key (it re-seals what was written meanwhile); then ENCRYPTION_KEYS_PREVIOUS can be removed.`,
    );
  },
};

const rotateSigningCommand: Command = {
  name: 'keys rotate-signing',
  summary: 'Generate a new Ed25519 signing key for `key` products, with instructions',
  usage: '',
  args: { min: 0, max: 0 },
  help: `
Prints a new signing key (a base64 Ed25519 seed) and its key id; nothing is stored. Keys issued
before keep verifying (each carries the id of the key that signed it) as long as the old key stays
in LICENSE_SIGNING_KEYS_PREVIOUS. The public key at /.well-known/license-key.pub becomes the new
one: vendors verifying offline need it for keys issued from now on, and keep the old one.`,
  async run(ctx) {
    const seed = randomBytes(32).toString('base64');
    const next = createKeySigner(loadSigningKey(seed));
    const current = createKeySigner(loadSigningKey(ctx.config.licenseSigningKey));
    const keep = [ctx.config.licenseSigningKey, ...ctx.config.previousLicenseSigningKeys];
    ctx.out.line(`New license signing key (key id ${next.keyId}; the current one is ${current.keyId}).`);
    ctx.out.line('Set on every instance and restart it:');
    ctx.out.line(`  LICENSE_SIGNING_KEY=${seed}`);
    ctx.out.line(`  LICENSE_SIGNING_KEYS_PREVIOUS=${keep.map((k) => (k.includes('-----BEGIN') ? JSON.stringify(k) : k)).join(',')}`);
    ctx.out.line('Keys issued until then keep verifying with the previous keys. Give vendors the new public key:');
    ctx.out.line(next.publicKeyPem.trimEnd());
  },
};

export const rotateCommands: Command[] = [rotateEncryptionCommand, rotateSigningCommand];
