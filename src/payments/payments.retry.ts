/**
 * A transaction the database rolled back whole because another one touched the same rows at the
 * same moment (PostgreSQL's serialization failure or deadlock, SQLite's busy past its timeout):
 * nothing of it was written, so running it again is safe.
 */
export function isTransient(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === '40001' || code === '40P01' || (typeof code === 'string' && code.startsWith('SQLITE_BUSY'))) return true;
  }
  return false;
}

/** Runs `fn` (one whole transaction) again after a transient failure, up to `attempts` times, a few ms apart. */
export async function retryTransient<T>(fn: () => Promise<T>, attempts = 3, pauseMs = 10): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isTransient(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, pauseMs * attempt + Math.random() * pauseMs));
    }
  }
}
