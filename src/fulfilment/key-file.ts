import type { Database, Executor } from '../platform/db/db.js';
import { AppError } from '../platform/errors.js';
import { MAX_KEY_LENGTH, type KeyPoolService } from './key-pool.service.js';

/** Keys per importKeys call: progress moves per chunk, all inside one transaction. */
const CHUNK = 5000;

export interface KeyLine {
  key: string;
  line: number;
}

/** One refused line of a key file: its number and why, never the whole key. */
export interface KeyProblem {
  line: number;
  text: string;
}

/** A key import refused before anything was written; `details.problems` lists every line, in order. */
export class KeysRefused extends AppError {
  constructor(
    message: string,
    readonly lines: KeyProblem[],
  ) {
    super('import_refused', message, 400, { problems: lines.map((p) => p.text) });
  }
}

/** Control characters (a tab, a NUL) have no place in a key and would not survive being copied by a buyer. */
const CONTROL = /\p{Cc}/u;

/** A key file: one key per line, trimmed; blank lines and `#` comments skipped; bad and repeated keys reported by line. */
export function parseKeyFile(text: string): { keys: KeyLine[]; problems: KeyProblem[] } {
  const keys: KeyLine[] = [];
  const problems: KeyProblem[] = [];
  const firstLine = new Map<string, number>();
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = i + 1;
      const key = raw.trim();
      if (key === '' || key.startsWith('#')) return;
      if (key.length > MAX_KEY_LENGTH) {
        problems.push({ line, text: `line ${line}: the key has ${key.length} characters; at most ${MAX_KEY_LENGTH}.` });
        return;
      }
      if (CONTROL.test(key)) {
        problems.push({ line, text: `line ${line}: the key contains a control character (such as a tab).` });
        return;
      }
      const first = firstLine.get(key);
      if (first !== undefined) {
        problems.push({ line, text: `line ${line}: the same key as line ${first}.` });
        return;
      }
      firstLine.set(key, line);
      keys.push({ key, line });
    });
  return { keys, problems };
}

/** Shortened for messages: a key is a secret, so only its start is shown. */
const glimpse = (key: string) => (key.length > 8 ? `${key.slice(0, 4)}…${key.slice(-2)}` : `${key.slice(0, 2)}…`);

export interface KeyImportOptions {
  /** what the owner gave, for messages: "file" (CLI, upload) or "pasted text" */
  source?: string;
  /** progress per chunk, for the CLI's bar */
  progress?: (total: number) => { add(n: number): void; done(): void };
  /** the caller's transaction (the owner's page writes its audit row in it) */
  tx?: Executor;
}

/**
 * Imports a key file's text into a key_lim product's pool, all or nothing: problems in the text, or
 * keys already in any pool, refuse the whole import (KeysRefused) with every offending line named.
 * The CLI's `keys import` and the owner's keys page both call this.
 */
export async function importKeyText(
  { db, keyPool }: { db: Database; keyPool: Pick<KeyPoolService, 'importKeys' | 'findKeysInPools'> },
  productId: number,
  text: string,
  { source = 'file', progress, tx }: KeyImportOptions = {},
): Promise<{ added: number }> {
  const { keys, problems } = parseKeyFile(text);
  if (keys.length === 0 && problems.length === 0)
    throw new AppError('no_keys', `The ${source} holds no keys (blank lines and lines starting with # are skipped).`);
  if (problems.length > 0) await refuseWithPooled(keyPool, keys, problems, source, tx);

  const bar = progress?.(keys.length);
  try {
    // importKeys refuses keys already in a pool (checked inside this transaction, so a key added
    // meanwhile counts too); only then is the whole text looked up again to name every such line.
    const run = async (t: Executor) => {
      for (let i = 0; i < keys.length; i += CHUNK) {
        const chunk = keys.slice(i, i + CHUNK).map((k) => k.key);
        await keyPool.importKeys(productId, chunk, t);
        bar?.add(chunk.length);
      }
    };
    await (tx ? run(tx) : db.transaction(run));
  } catch (err) {
    if (err instanceof AppError && err.code === 'duplicate_keys') await refuseWithPooled(keyPool, keys, problems, source, tx);
    throw err;
  } finally {
    bar?.done();
  }
  return { added: keys.length };
}

/** Adds a problem for every key already in a pool and refuses the import. */
async function refuseWithPooled(
  keyPool: Pick<KeyPoolService, 'findKeysInPools'>,
  keys: KeyLine[],
  problems: KeyProblem[],
  source: string,
  tx?: Executor,
): Promise<never> {
  // In the caller's transaction when there is one: SQLite has a single connection.
  const pooled = await keyPool.findKeysInPools(
    keys.map((k) => k.key),
    tx,
  );
  for (const k of keys)
    if (pooled.has(k.key)) problems.push({ line: k.line, text: `line ${k.line}: key ${glimpse(k.key)} is already in a pool.` });
  const sorted = [...problems].sort((a, b) => a.line - b.line);
  throw new KeysRefused(`No keys were imported: ${sorted.length} problem${sorted.length === 1 ? '' : 's'} in the ${source}.`, sorted);
}
