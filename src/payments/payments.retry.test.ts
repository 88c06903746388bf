import { describe, expect, it } from 'vitest';
import { isTransient, retryTransient } from './payments.retry.js';

const failure = (code: string) => Object.assign(new Error(code), { code });

describe('retryTransient', () => {
  it('runs a transaction again after a serialization failure, a deadlock or SQLite busy, and answers its result', async () => {
    for (const code of ['40001', '40P01', 'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT']) {
      let calls = 0;
      const result = await retryTransient(async () => {
        calls++;
        if (calls < 3) throw new Error('wrapped', { cause: failure(code) });
        return 'settled';
      });
      expect([code, result, calls]).toEqual([code, 'settled', 3]);
    }
  });

  it('gives up after the last attempt, and never retries any other error', async () => {
    let calls = 0;
    await expect(retryTransient(() => Promise.reject(failure('40001')).finally(() => calls++), 3, 1)).rejects.toThrow('40001');
    expect(calls).toBe(3);
    calls = 0;
    await expect(retryTransient(() => Promise.reject(failure('23505')).finally(() => calls++))).rejects.toThrow('23505');
    expect(calls).toBe(1);
    expect(isTransient(new Error('no code'))).toBe(false);
  });
});
