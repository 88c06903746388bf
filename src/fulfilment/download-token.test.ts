import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDownloadTokens } from './download-token.js';

describe('download tokens', () => {
  const tokens = createDownloadTokens(randomBytes(32));
  const now = 1_800_000_000_000;
  const claim = { grantId: 12, fileId: 3, expiresAt: now + 15 * 60_000, linkId: 'AAAAAAAAAAAAAAAAAAAAAA' };

  it('round-trips a claim until it expires, and still names it (signature checked) once expired', () => {
    const token = tokens.sign(claim);
    expect(tokens.verify(token, now)).toEqual({ ok: true, claim });
    expect(tokens.verify(token, claim.expiresAt)).toEqual({ ok: false, reason: 'expired', claim });
  });

  it('draws a new link id for every link unless one is given', () => {
    const { linkId: _given, ...rest } = claim;
    const ids = [tokens.sign(rest), tokens.sign(rest)].map((t) => tokens.verify(t, now)).map((c) => (c.ok ? c.claim.linkId : ''));
    expect(ids[0]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(ids[1]).not.toBe(ids[0]);
  });

  it('refuses a token pointed at another grant, file or link, a longer expiry, another key, or garbage', () => {
    const token = tokens.sign(claim);
    const [g, f, e, link, sig] = token.split('.');
    const forged = [
      `13.${f}.${e}.${link}.${sig}`,
      `${g}.4.${e}.${link}.${sig}`,
      `${g}.${f}.${Number(e) + 3600}.${link}.${sig}`,
      `${g}.${f}.${e}.BAAAAAAAAAAAAAAAAAAAAA.${sig}`,
      `${g}.${f}.${e}.${sig}`,
      createDownloadTokens(randomBytes(32)).sign(claim),
      'x',
      '',
      `${token}x`,
      '1.2.3.' + 'A'.repeat(43),
    ];
    for (const bad of forged) expect(tokens.verify(bad, now), bad).toEqual({ ok: false, reason: 'tampered' });
  });
});
