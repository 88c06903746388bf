import { createSecretBox } from '../../platform/crypto.js';
import type { Database } from '../../platform/db/db.js';
import { AppError } from '../../platform/errors.js';
import type { Progress } from '../output.js';
import { createRotationRepo, SEALED_COLUMNS, type SealedColumn, type SealedRow } from './rotation.repo.js';

const BATCH = 2000;

export interface RotationResult {
  table: string;
  /** Values re-sealed under the target (their lookup hash recomputed with them). */
  resealed: number;
  /** Values already under the target whose lookup hash was another key's. */
  rehashed: number;
}

export interface RotationOutcome {
  tables: RotationResult[];
  /** Values under another key once the run ended: written meanwhile by an instance sealing with it. */
  left: number;
}

/**
 * Re-seals every sealed value under `target` and recomputes the lookup hashes from the same plain
 * values, table by table in batches of 2000, each batch its own transaction. Values are opened with
 * the target and every configured key. Only rows that change are written, so a run that stopped
 * part way is resumed by running it again with the same target. A lookup hash is checked even when
 * its value is already under the target: a row may be sealed by an instance on the new key with a
 * hash copied from a pool row the run had not reached yet.
 */
export async function rotateEncryption(
  { db, current, previous }: { db: Database; current: Buffer; previous: Buffer[] },
  target: Buffer,
  progress: (label: string, total: number) => Progress,
): Promise<RotationOutcome> {
  const repo = createRotationRepo(db);
  const box = createSecretBox(
    target,
    [current, ...previous].filter((k) => !k.equals(target)),
  );
  const underTarget = `v1.${box.keyId}.`;
  const totals = await Promise.all(SEALED_COLUMNS.map((col) => repo.countToExamine(col, box.keyId)));
  const bar = progress(
    'Re-sealing',
    totals.reduce((a, b) => a + b, 0),
  );

  /** The row as it must be stored, or null when it already is. */
  const rotated = (col: SealedColumn, r: SealedRow) => {
    let plain: string;
    try {
      plain = box.open(r.sealed);
    } catch {
      throw new AppError(
        'cannot_open_sealed_value',
        `${col.table} ${r.id}: no configured key opens this value (is its key in ENCRYPTION_KEYS_PREVIOUS?). Batches done so far are kept; fix the configuration and run again with the same --new-key.`,
      );
    }
    const hash = col.hash ? box.hash(plain) : null;
    if (r.sealed.startsWith(underTarget))
      return hash === r.hash ? null : { id: r.id, was: r.sealed, sealed: r.sealed, hash, resealed: false };
    return { id: r.id, was: r.sealed, sealed: box.seal(plain), hash, resealed: true };
  };

  const tables: RotationResult[] = [];
  try {
    for (const col of SEALED_COLUMNS) {
      let after: number | string | null = null;
      const result = { table: col.table, resealed: 0, rehashed: 0 };
      for (;;) {
        const from = after;
        const { rows, updates } = await db.transaction(async (tx) => {
          const batch = await repo.findToExamine(col, box.keyId, from, BATCH, tx);
          const changed = batch.map((r) => rotated(col, r)).filter((r) => r !== null);
          await repo.updateSealed(col, changed, tx);
          return { rows: batch, updates: changed };
        });
        for (const u of updates) result[u.resealed ? 'resealed' : 'rehashed']++;
        bar.add(rows.length);
        after = rows.at(-1)?.id ?? after;
        if (rows.length < BATCH) break;
      }
      tables.push(result);
    }
  } finally {
    bar.done();
  }
  const left = await Promise.all(SEALED_COLUMNS.map((col) => repo.countNotUnder(col, box.keyId)));
  return { tables, left: left.reduce((a, b) => a + b, 0) };
}
