// Offline verification of a license key issued by the store, for vendors' software.
// Needs only Node.js (>= 16) and the store's public key from https://<shop>/.well-known/license-key.pub,
// saved next to your program. Copy this file; it has no dependencies.
//
//   node verify-license-key.mjs license-key.pub 'LK1.eyJ2Ijo….signature'
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Returns the key's payload ({ s: sku, t: issued-at seconds, … }) if the store signed it, else null. */
export function verifyLicenseKey(licenseKey, publicKeyPem, expectedSku) {
  const parts = String(licenseKey).trim().split('.');
  if (parts.length !== 3 || parts[0] !== 'LK1') return null;
  const signedPart = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2], 'base64url');
  // Ed25519 only: the algorithm is fixed here, never taken from the key.
  if (!verify(null, signedPart, createPublicKey(publicKeyPem), signature)) return null;
  const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  if (expectedSku && payload.s !== expectedSku) return null;
  return payload;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const [pubFile, key, sku] = process.argv.slice(2);
  const payload = verifyLicenseKey(key, readFileSync(pubFile, 'utf8'), sku);
  console.log(payload ? `valid: ${JSON.stringify(payload)}` : 'invalid');
  process.exit(payload ? 0 : 1);
}
