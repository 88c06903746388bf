import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';

/** What a signed license key says about itself. */
export interface SignedKeyPayload {
  /** format version */
  v: 1;
  /** id of the signing key (first 8 hex of the SHA-256 of its raw public key) */
  k: string;
  /** product SKU */
  s: string;
  /** issued at, epoch seconds */
  t: number;
  /** random nonce: two keys for the same product never collide */
  n: string;
}

const PREFIX = 'LK1';
// PKCS#8 DER header for an Ed25519 private key; the 32-byte seed follows it.
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

/** An Ed25519 key from a base64 32-byte seed or a PKCS#8 PEM. */
export function loadSigningKey(material: string): KeyObject {
  if (material.includes('-----BEGIN')) return createPrivateKey(material);
  const seed = Buffer.from(material, 'base64');
  if (seed.length !== 32) throw new Error('a signing key seed must be 32 bytes, base64 encoded');
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
}

const keyIdOf = (publicKey: KeyObject) =>
  createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32))
    .digest('hex')
    .slice(0, 8);

/**
 * Issues and verifies keys of the form `LK1.<base64url JSON payload>.<base64url Ed25519 signature>`,
 * the signature covering `LK1.<payload>`. Vendors verify offline with the published public key.
 */
export function createKeySigner(privateKey: KeyObject, previousPublicKeys: KeyObject[] = []) {
  // Previous keys may be given as private keys (from configuration); only their public half is used.
  const publicKey = createPublicKey(privateKey);
  const keyId = keyIdOf(publicKey);
  const previous = previousPublicKeys.map((k) => (k.type === 'private' ? createPublicKey(k) : k));
  const verifiers = new Map([publicKey, ...previous].map((k) => [keyIdOf(k), k]));
  return {
    keyId,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    /** A new signed key for a product. */
    issue(sku: string, nowMs: number): string {
      const payload: SignedKeyPayload = { v: 1, k: keyId, s: sku, t: Math.floor(nowMs / 1000), n: randomBytes(9).toString('base64url') };
      const body = `${PREFIX}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
      return `${body}.${sign(null, Buffer.from(body), privateKey).toString('base64url')}`;
    },
    /** The payload of a genuine key, or null for anything forged, altered or malformed. */
    verify(key: string): SignedKeyPayload | null {
      const parts = key.trim().split('.');
      if (parts.length !== 3 || parts[0] !== PREFIX) return null;
      try {
        const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as SignedKeyPayload;
        const verifier = verifiers.get(payload.k);
        if (!verifier || payload.v !== 1) return null;
        return verify(null, Buffer.from(`${parts[0]}.${parts[1]}`), verifier, Buffer.from(parts[2]!, 'base64url')) ? payload : null;
      } catch {
        return null;
      }
    },
  };
}

export type KeySigner = ReturnType<typeof createKeySigner>;
