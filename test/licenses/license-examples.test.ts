import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { testDialects } from '../support/database.js';
import { licenseFixtures, type LicenseFixtures, type LicenseJson } from './license-fixtures.js';

const run = promisify(execFile);
const examples = join(import.meta.dirname, '../../examples');

/** examples/license-client.mjs as a vendor's program uses it (plain JavaScript: its types are stated here). */
interface LicenseClient {
  validate(licenseKey: string, instanceId?: string): Promise<LicenseJson>;
  activate(licenseKey: string, instanceName: string): Promise<LicenseJson>;
  deactivate(licenseKey: string, instanceId: string): Promise<LicenseJson>;
}
interface SavedActivation {
  instanceId: string;
}
interface LicenseClientModule {
  createLicenseClient: (storeUrl: string) => LicenseClient;
  checkLicense: (
    client: LicenseClient,
    licenseKey: string,
    instanceName: string,
    saved: SavedActivation | null,
    save: (s: SavedActivation) => void,
  ) => Promise<boolean>;
  LicenseApiError: new (status: number, code: string, message: string) => Error;
}
/** examples/verify-license-key.mjs: the payload of a key the store signed, else null. */
interface VerifyModule {
  verifyLicenseKey: (licenseKey: string, publicKeyPem: string, expectedSku?: string) => { v: number; s: string; k: string } | null;
}
const example = (file: string) => import(pathToFileURL(join(examples, file)).href);
const { checkLicense, createLicenseClient, LicenseApiError } = (await example('license-client.mjs')) as LicenseClientModule;
const { verifyLicenseKey } = (await example('verify-license-key.mjs')) as VerifyModule;

/** Runs an example as a vendor would, on the command line; its exit code and output. */
async function node(script: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(examples, script), ...args], { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe.each(testDialects)('examples against the running store on %s', (dialect) => {
  let t: TestApp;
  let fx: LicenseFixtures;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    fx = licenseFixtures(t.db);
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'license-examples-'));
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('license-client.mjs validates, activates and deactivates over HTTP, with the API’s error codes', async () => {
    const { key, product } = await fx.paidOrder({ type: 'key_lim', activationLimit: 1 });
    const client = createLicenseClient(url);
    expect(await client.validate(key)).toMatchObject({ valid: true, status: 'inactive', license: { sku: product.sku } });
    const on = await client.activate(key, 'ci-runner');
    expect(on).toMatchObject({ activated: true, status: 'active', instance: { name: 'ci-runner' } });
    expect(await client.validate(key, on.instance!.id)).toMatchObject({ instance: { id: on.instance!.id } });
    const refused = await client.activate(key, 'second').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LicenseApiError);
    expect(refused).toMatchObject({ status: 409, code: 'activation_limit_reached', details: { activation_limit: 1, activation_usage: 1 } });
    expect(await client.deactivate(key, on.instance!.id)).toMatchObject({ deactivated: true, status: 'inactive' });
    expect(await client.validate('NOT-A-KEY').catch((e: unknown) => e)).toMatchObject({ status: 404, code: 'license_not_found' });
  });

  it('checkLicense activates once, then validates with the saved instance, and re-activates after a deactivation', async () => {
    const { key } = await fx.paidOrder({ activationLimit: 2 });
    const client = createLicenseClient(url);
    let saved: { instanceId: string } | null = null;
    const save = (s: { instanceId: string }) => {
      saved = s;
    };
    expect(await checkLicense(client, key, 'workstation', saved, save)).toBe(true);
    const first = saved!.instanceId;
    expect(await checkLicense(client, key, 'workstation', saved, save)).toBe(true);
    expect(saved!.instanceId).toBe(first);
    await fx.licenses.revokeActivation(first);
    expect(await checkLicense(client, key, 'workstation', saved, save)).toBe(true);
    expect(saved!.instanceId).not.toBe(first);
    expect(await checkLicense(client, 'NOT-A-KEY', 'workstation', null, save)).toBe(false);
  });

  it('license-client.mjs works from the command line', async () => {
    const { key } = await fx.paidOrder();
    const activated = await node('license-client.mjs', [url, 'activate', key, 'cli-box']);
    expect(activated.code).toBe(0);
    expect(JSON.parse(activated.stdout)).toMatchObject({ activated: true, instance: { name: 'cli-box' } });
    const unknown = await node('license-client.mjs', [url, 'validate', 'NOT-A-KEY']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('404 license_not_found');
    expect((await node('license-client.mjs', [url, 'explode', key])).code).toBe(2);
  });

  it('verify-license-key.mjs verifies keys the store issued with the key the store publishes, offline', async () => {
    const { key, product } = await fx.paidOrder({ type: 'key' });
    const publicKey = await (await fetch(`${url}/.well-known/license-key.pub`)).text();
    expect(verifyLicenseKey(key, publicKey, product.sku)).toMatchObject({ v: 1, s: product.sku, k: fx.signer.keyId });
    expect(verifyLicenseKey(key, publicKey, 'OTHER-SKU')).toBeNull();
    const [head, payload, signature] = key.split('.');
    const forged = `${head}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), s: 'OTHER-SKU' })).toString('base64url')}.${signature}`;
    expect(verifyLicenseKey(forged, publicKey)).toBeNull();

    const pubFile = join(dir, 'license-key.pub');
    await writeFile(pubFile, publicKey);
    const ok = await node('verify-license-key.mjs', [pubFile, key, product.sku]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`"s":"${product.sku}"`);
    expect((await node('verify-license-key.mjs', [pubFile, forged])).code).toBe(1);
  });
});
