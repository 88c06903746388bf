import { createSecretBox } from '../../platform/crypto.js';
import type { Database } from '../../platform/db/db.js';
import { AppError } from '../../platform/errors.js';
import type { Progress } from '../output.js';
import { createRotationRepo, SEALED_COLUMNS } from './rotation.repo.js';

const BATCH = 2000;

export interface RotationResult {
  table: string;
  resealed: number;
}

/**
 * Re-seals every sealed value under `target` and recomputes the lookup hashes from the same plain
 * values, table by table in batches of 2000, each batch its own transaction. Values are opened with
 * the target and every configured key. Values already under the target are skipped, so a run that
 * stopped part way is resumed by running it again with the same target.
 */
export async function rotateEncryption(
  { db, current, previous }: { db: Database; current: Buffer; previous: Buffer[] },
  target: Buffer,
  progress: (label: string, total: number) => Progress,
): Promise<RotationResult[]> {
  const repo = createRotationRepo(db);
  const box = createSecretBox(
    target,
    [current, ...previous].filter((k) => !k.equals(target)),
  );
  const totals = await Promise.all(SEALED_COLUMNS.map((col) => repo.countNotUnder(col, box.keyId)));
  const bar = progress(
    'Re-sealing',
    totals.reduce((a, b) => a + b, 0),
  );
  const results: RotationResult[] = [];
  try {
    for (const col of SEALED_COLUMNS) {
      let after: number | string | null = null;
      let resealed = 0;
      for (;;) {
        const done: number = await db.transaction(async (tx) => {
          const rows = await repo.findNotUnder(col, box.keyId, after, BATCH, tx);
          const updated = rows.map((r) => {
            let plain: string;
            try {
              plain = box.open(r.sealed);
            } catch {
              throw new AppError(
                'cannot_open_sealed_value',
                `${col.table} ${r.id}: no configured key opens this value (is its key in ENCRYPTION_KEYS_PREVIOUS?). Batches done so far are kept; fix the configuration and run again with the same --new-key.`,
              );
            }
            return { id: r.id, sealed: box.seal(plain), hash: col.hash ? box.hash(plain) : null };
          });
          await repo.updateSealed(col, updated, tx);
          if (rows.length > 0) after = rows[rows.length - 1]!.id;
          return rows.length;
        });
        resealed += done;
        bar.add(done);
        if (done < BATCH) break;
      }
      results.push({ table: col.table, resealed });
    }
  } finally {
    bar.done();
  }
  return results;
}
