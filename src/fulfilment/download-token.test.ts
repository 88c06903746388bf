import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDownloadTokens } from './download-token.js';

describe('download tokens', () => {
  const tokens = createDownloadTokens(randomBytes(32));
  const now = 1_800_000_000_000;
  const claim = { grantId: 12, fileId: 3, expiresAt: now + 15 * 60_000 };

  it('round-trips a claim until it expires', () => {
    const token = tokens.sign(claim);
    expect(tokens.verify(token, now)).toEqual({ ok: true, claim });
    expect(tokens.verify(token, claim.expiresAt)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token pointed at another grant or file, a longer expiry, another key, or garbage', () => {
    const token = tokens.sign(claim);
    const [g, f, e, sig] = token.split('.');
    const forged = [
      `13.${f}.${e}.${sig}`,
      `${g}.4.${e}.${sig}`,
      `${g}.${f}.${Number(e) + 3600}.${sig}`,
      createDownloadTokens(randomBytes(32)).sign(claim),
      'x',
      '',
      `${token}x`,
      '1.2.3.' + 'A'.repeat(43),
    ];
    for (const bad of forged) expect(tokens.verify(bad, now), bad).toEqual({ ok: false, reason: 'tampered' });
  });
});
