import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/env.js';
import { auditRowsFor, CLI_ACTOR } from '../cli/cli-harness.js';
import { licenseFixtures, type LicenseFixtures } from './license-fixtures.js';

describe.each(testDialects)('owner CLI: licenses on %s', (dialect) => {
  let db: TestDatabase;
  let fx: LicenseFixtures;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    fx = licenseFixtures(db);
  });
  afterAll(() => db.drop());

  /** Runs `npm run store -- <args>` against the test database; exit code and output. */
  async function cli(...argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      env: testEnv(),
      db,
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
    });
    return { code, stdout, stderr };
  }

  it('lists an order’s keys by hash with status, limit and every instance, never the key itself', async () => {
    const { orderId, keys } = await fx.paidOrder({ type: 'key_lim', quantity: 2, activationLimit: 3 });
    const on = await fx.licenses.activate(keys[0]!, 'render-node');
    const old = await fx.licenses.activate(keys[0]!, 'old-node');
    await fx.licenses.deactivate(keys[0]!, old.instance!.id);

    const res = await cli('licenses', 'list', orderId);
    expect(res.code).toBe(0);
    const hash = fx.secrets.hash(keys[0]!);
    expect(res.stdout).toContain(`key ${hash.slice(0, 16)}  ${orderId}`);
    expect(res.stdout).toMatch(/unit 1 {2}active {2}1 of 3 activations/);
    expect(res.stdout).toMatch(/unit 2 {2}inactive {2}0 of 3 activations\nno instances\n/);
    expect(res.stdout).toContain(on.instance!.id);
    expect(res.stdout).toMatch(new RegExp(`${old.instance!.id}\\s+old-node\\s+\\S+ \\S+\\s+\\d{4}-`));
    for (const k of keys) expect(res.stdout).not.toContain(k);

    const byHash = await cli('licenses', 'list', hash.slice(0, 10), '--json');
    expect(byHash.code).toBe(0);
    expect(JSON.parse(byHash.stdout)).toEqual([expect.objectContaining({ keyHash: hash, orderId, unit: 0, status: 'active' })]);
    expect((await cli('licenses', 'list', 'deadbeef00')).stdout).toContain('No license keys found.');
  });

  it('revokes an activation, freeing its slot, and says why when it cannot', async () => {
    const { key } = await fx.paidOrder({ activationLimit: 1 });
    const on = await fx.licenses.activate(key, 'stolen-laptop');
    const res = await cli('licenses', 'revoke-activation', on.instance!.id);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`Deactivated ${on.instance!.id} (stolen-laptop)`);
    expect(await fx.licenses.validate(key)).toMatchObject({ status: 'inactive', license: { activation_usage: 0 } });
    expect((await fx.licenses.activate(key, 'new-laptop')).created).toBe(true);
    // /admin/audit: the deactivation with the instance's name, the command line as actor.
    const [audited, ...more] = await auditRowsFor(db, on.instance!.id);
    expect(audited).toMatchObject({ action: 'license.activation.revoke', ...CLI_ACTOR, before: { name: 'stolen-laptop' }, after: null });
    expect(more).toEqual([]);

    const again = await cli('licenses', 'revoke-activation', on.instance!.id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('There is no active instance with that id.');
    expect(await auditRowsFor(db, on.instance!.id)).toHaveLength(1);
    const malformed = await cli('licenses', 'revoke-activation', 'laptop');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('is not an instance id');
    expect((await cli('licenses', 'list', 'ord_nope')).code).toBe(1);
    expect((await cli('licenses', 'list')).code).toBe(2);
  });
});
