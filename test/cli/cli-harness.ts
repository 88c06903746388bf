import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli.js';
import type { Database } from '../../src/platform/db/db.js';
import { testEnv } from '../support/env.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI's environment in tests: the test secrets, silent, never the process environment. */
export function cliEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return testEnv(overrides);
}

/** Runs a command in-process on `db` (or the env's DATABASE_URL) and collects what it printed. */
export async function runStore(
  argv: string[],
  { db, env = {}, clock, tty = false }: { db?: Database; env?: Record<string, string>; clock?: () => number; tty?: boolean } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: cliEnv(env),
    ...(db ? { db } : {}),
    ...(clock ? { clock } : {}),
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: tty },
  });
  return { code, stdout, stderr };
}

/** A file with these contents in a fresh temporary directory; returns its path. */
export function tempFile(name: string, contents: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'store-cli-')), name);
  writeFileSync(path, contents);
  return path;
}

/** The actor the audit log names for these commands: the command line, run by this OS user on this machine. */
export const CLI_ACTOR = { actor_sub: 'cli', actor_email: `command line (${userInfo().username}@${hostname()})` };

/** The owner audit log's rows about `subject`, oldest first, as /admin/audit reads them (before/after parsed). */
export async function auditRowsFor(db: Database, subject: string) {
  const rows = await db.kysely.selectFrom('owner_audit').selectAll().where('subject', '=', subject).orderBy('id').execute();
  const parse = (s: string | null): unknown => (s === null ? null : JSON.parse(s));
  return rows.map((r) => ({
    action: r.action,
    subject: r.subject,
    actor_sub: r.actor_sub,
    actor_email: r.actor_email,
    before: parse(r.before),
    after: parse(r.after),
  }));
}
