import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createSecretKey,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

/** Encryption at rest (AES-256-GCM) and keyed lookup hashes for secrets such as license keys. */
export interface SecretBox {
  /** Id of the key new values are sealed with (the second part of a sealed value). */
  readonly keyId: string;
  seal(plain: string): string;
  open(sealed: string): string;
  /** HMAC-SHA256 of a value: equal values hash equal, so rows can be found without decrypting. */
  hash(plain: string): string;
  /**
   * The value's lookup hash under the current key, then under each previous key: a row hashed by an
   * instance on either key of a rotation is found by one `in (…)` over these.
   */
  hashes(plain: string): string[];
}

const POOL_BYTES = 64 * 1024;
let pool = Buffer.alloc(0);
let poolOffset = 0;
/**
 * `size` random bytes, never handed out twice, cut from a pool the CSPRNG fills 64 KB at a time (as
 * Node's own randomUUID does): a call to it costs some 6 µs however few bytes it makes, a third of a
 * seal's cost.
 */
export function pooledRandomBytes(size: number): Buffer {
  if (size > 256) return randomBytes(size);
  if (poolOffset + size > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  poolOffset += size;
  return pool.subarray(poolOffset - size, poolOffset);
}

const keyId = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8);

const hashKeyOf = (key: Buffer) => createSecretKey(Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'lookup-hash', 32)));

/**
 * Sealed values read `v1.<key id>.<iv>.<ciphertext>.<tag>`; the key id lets older keys still open
 * values sealed before a rotation. New hashes are made under a key derived from the current key;
 * `hashes` adds those under the previous keys, which rows keep until the rotation re-hashes them.
 */
export function createSecretBox(key: Buffer, previous: Buffer[] = []): SecretBox {
  // KeyObjects made once: importing a raw key on every call costs more than the cipher itself (bulk key imports).
  const keys = new Map([key, ...previous].map((k) => [keyId(k), createSecretKey(k)]));
  const currentId = keyId(key);
  const currentKey = keys.get(currentId)!;
  // One hash key per distinct key, the current one first (a key listed twice would only repeat its hash).
  const hashKeys = [...new Map([key, ...previous].map((k) => [keyId(k), hashKeyOf(k)])).values()];
  const hmac = (hashKey: KeyObject, plain: string) => createHmac('sha256', hashKey).update(plain).digest('hex');
  return {
    keyId: currentId,
    seal(plain) {
      const iv = pooledRandomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', currentId, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, id, iv, body, tag] = sealed.split('.');
      const k = id ? keys.get(id) : undefined;
      if (version !== 'v1' || !k || !iv || body === undefined || !tag) throw new Error('Cannot open sealed value: unknown format or key');
      const decipher = createDecipheriv('aes-256-gcm', k, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
    hash(plain) {
      return hmac(hashKeys[0]!, plain);
    },
    hashes(plain) {
      return hashKeys.map((k) => hmac(k, plain));
    },
  };
}
