import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
