import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands/index.js';
import { runStore } from './cli-harness.js';

const run = promisify(execFile);

describe('the owner CLI: commands, help and usage', () => {
  it('lists every command with its summary', async () => {
    const r = await runStore(['--help']);
    expect(r.code).toBe(0);
    for (const c of commands)
      expect(r.stdout).toMatch(new RegExp(`\\n  ${c.name} +${c.summary.replace(/[.*+?^${}()|[\]\\`]/g, '\\$&')}\\n`));
    expect(r.stdout).toContain('Usage: npm run store -- <command> [arguments] [--options]');
  });

  it.each(commands.map((c) => c.name))('%s --help shows its usage without needing a database', async (name) => {
    // An invalid database URL proves help never opens one.
    const r = await runStore([...name.split(' '), '--help'], { env: { DATABASE_URL: 'mysql://nowhere' } });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      `Usage: npm run store -- ${commands.find((c) => c.name === name)!.name} ${commands.find((c) => c.name === name)!.usage}`.trimEnd(),
    );
    expect(r.stderr).toBe('');
  });

  it('lists a group when only its name is given', async () => {
    const r = await runStore(['orders', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('orders refund');
    expect(r.stdout).not.toContain('keys import');
  });

  it('answers an unknown command, an unknown option, a bad value and missing arguments with exit code 2 and the usage', async () => {
    const unknown = await runStore(['frobnicate']);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    expect(await runStore([])).toMatchObject({ code: 2 });

    const option = await runStore(['orders', 'list', '--colour', 'red']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/Unknown option '--colour'/);
    expect(option.stderr).toContain('Usage: npm run store -- orders list');

    const value = await runStore(['messages', 'list', '--limit', 'lots']);
    expect(value.code).toBe(2);
    expect(value.stderr).toContain('--limit must be a whole number from 1 to 1000.');

    const missing = await runStore(['keys', 'import', 'ONLY-SKU']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Missing arguments.');
    const extra = await runStore(['orders', 'show', 'a', 'b']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('Unexpected argument "b"');

    const half = await runStore(['orders', 'refund', 'ord_x', '--item', 'SKU']);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('--item and --units go together.');
  });

  it('refuses bad configuration with the same message as the server, exit code 1', async () => {
    const r = await runStore(['messages', 'list'], { env: { ENCRYPTION_KEY: 'too-short' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Invalid configuration:\n  - ENCRYPTION_KEY: must be 32 bytes, base64 encoded');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('opens, migrates and closes the configured database itself', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'store-cli-db-')), 'store.db');
    const r = await runStore(['messages', 'list'], { env: { DATABASE_URL: `sqlite:${file}` } });
    expect(r).toMatchObject({ code: 0, stdout: 'No messages.\n', stderr: '' });
    const again = await runStore(['orders', 'list', '--json'], { env: { DATABASE_URL: `sqlite:${file}` } });
    expect(JSON.parse(again.stdout)).toEqual([]);
  });

  it('runs as `npm run store` in a real process', async () => {
    const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, NODE_ENV: 'test' };
    const ok = await run('npm', ['run', '-s', 'store', '--', '--help'], { cwd: process.cwd(), env });
    expect(ok.stdout).toContain('keys rotate-encryption');
    const failed = await run('npm', ['run', '-s', 'store', '--', 'no-such-command'], { cwd: process.cwd(), env }).catch(
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain('Unknown command "no-such-command"');
  });
});
