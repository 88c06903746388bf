import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
// The vendor's copy-and-paste verifier, tested against keys the store issues.
// @ts-expect-error plain JavaScript example without types
import { verifyLicenseKey as untypedVerify } from '../../examples/verify-license-key.mjs';
import { createKeySigner, loadSigningKey } from './signed-key.js';

/** The example's signature (it has no types of its own). */
const verifyLicenseKey = untypedVerify as (
  licenseKey: string,
  publicKeyPem: string,
  expectedSku?: string,
) => Record<string, unknown> | null;

const seed = randomBytes(32).toString('base64');
const signer = createKeySigner(loadSigningKey(seed));
const now = Date.UTC(2026, 10, 25);

describe('signed license keys', () => {
  it('issues unique keys that verify with the store and with the vendor example', () => {
    const a = signer.issue('PIXEL-PRO', now);
    const b = signer.issue('PIXEL-PRO', now);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^LK1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(signer.verify(a)).toMatchObject({ v: 1, s: 'PIXEL-PRO', t: now / 1000, k: signer.keyId });
    expect(verifyLicenseKey(a, signer.publicKeyPem, 'PIXEL-PRO')).toMatchObject({ s: 'PIXEL-PRO' });
    expect(verifyLicenseKey(a, signer.publicKeyPem, 'OTHER-SKU')).toBeNull();
  });

  it('rejects altered, forged and malformed keys', () => {
    const key = signer.issue('PIXEL-PRO', now);
    const [prefix, payload, sig] = key.split('.') as [string, string, string];
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), s: 'EXPENSIVE' }),
    ).toString('base64url');
    const other = createKeySigner(loadSigningKey(randomBytes(32).toString('base64')));
    const foreign = other.issue('PIXEL-PRO', now);
    const bad = [
      `${prefix}.${forgedPayload}.${sig}`,
      `${prefix}.${payload}.${Buffer.alloc(64).toString('base64url')}`,
      foreign,
      `LK2.${payload}.${sig}`,
      'LK1..',
      'LK1.!!!.???',
      '',
      'not a key',
    ];
    for (const k of bad) {
      expect(signer.verify(k), k).toBeNull();
      expect(verifyLicenseKey(k, signer.publicKeyPem), k).toBeNull();
    }
  });

  it('accepts a PEM key and still verifies keys of a previous key after rotation', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const oldKey = signer.issue('PIXEL-PRO', now);
    const rotated = createKeySigner(loadSigningKey(pem), [loadSigningKey(seed)]);
    expect(rotated.keyId).not.toBe(signer.keyId);
    expect(rotated.verify(oldKey)?.s).toBe('PIXEL-PRO');
    expect(() => loadSigningKey('c2hvcnQ=')).toThrow(/32 bytes/);
  });

  it('verifies from the command line as documented', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lk-'));
    writeFileSync(join(dir, 'license-key.pub'), signer.publicKeyPem);
    const key = signer.issue('PIXEL-PRO', now);
    const run = promisify(execFile);
    const script = resolve(import.meta.dirname, '../../examples/verify-license-key.mjs');
    const ok = await run(process.execPath, [script, join(dir, 'license-key.pub'), key, 'PIXEL-PRO']);
    expect(ok.stdout).toContain('valid: {"v":1');
    await expect(run(process.execPath, [script, join(dir, 'license-key.pub'), `${key}x`])).rejects.toMatchObject({
      code: 1,
      stdout: 'invalid\n',
    });
  });
});
