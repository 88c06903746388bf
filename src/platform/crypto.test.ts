import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, pooledRandomBytes } from './crypto.js';

describe('SecretBox', () => {
  const key = randomBytes(32);

  it('seals and opens, never storing the plain text', () => {
    const box = createSecretBox(key);
    const sealed = box.seal('ABCD-EFGH-1234');
    expect(sealed).not.toContain('ABCD');
    expect(box.open(sealed)).toBe('ABCD-EFGH-1234');
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('refuses a tampered value and a value from an unknown key', () => {
    const box = createSecretBox(key);
    const sealed = box.seal('secret');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('other!').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
    expect(() => createSecretBox(randomBytes(32)).open(sealed)).toThrow(/unknown format or key/);
  });

  it('opens values sealed with a previous key after rotation', () => {
    const old = createSecretBox(key);
    const sealed = old.seal('kept');
    const rotated = createSecretBox(randomBytes(32), [key]);
    expect(rotated.open(sealed)).toBe('kept');
  });

  it('hashes deterministically under one key and differently under another', () => {
    const box = createSecretBox(key);
    expect(box.hash('K-1')).toBe(box.hash('K-1'));
    expect(box.hash('K-1')).not.toBe(box.hash('K-2'));
    expect(createSecretBox(randomBytes(32)).hash('K-1')).not.toBe(box.hash('K-1'));
  });

  it('gives the lookup hashes under the current key, then each previous one, so either side of a rotation finds a row', () => {
    const next = randomBytes(32);
    const other = randomBytes(32);
    const oldBox = createSecretBox(key);
    const newBox = createSecretBox(next);
    expect(createSecretBox(next, [key, other]).hashes('K-1')).toEqual([
      newBox.hash('K-1'),
      oldBox.hash('K-1'),
      createSecretBox(other).hash('K-1'),
    ]);
    // An old instance told the new key in advance hashes as before and also finds rows the new key hashed.
    expect(createSecretBox(key, [next]).hashes('K-1')).toEqual([oldBox.hash('K-1'), newBox.hash('K-1')]);
    expect(createSecretBox(key, [next]).hash('K-1')).toBe(oldBox.hash('K-1'));
    expect(createSecretBox(key, [key]).hashes('K-1')).toEqual([oldBox.hash('K-1')]);
    expect(oldBox.hashes('K-1')).toEqual([oldBox.hash('K-1')]);
  });
});

describe('pooledRandomBytes', () => {
  it('hands out bytes of the size asked for, never the same twice, across refills of the pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const bytes = pooledRandomBytes(18);
      expect(bytes.length).toBe(18);
      seen.add(bytes.toString('hex'));
    }
    expect(seen.size).toBe(10_000);
    expect(pooledRandomBytes(1000).length).toBe(1000);
  });
});
