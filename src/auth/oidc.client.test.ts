import { describe, expect, it } from 'vitest';
import { acceptedIdTokenAlgorithms } from './oidc.client.js';

describe('acceptedIdTokenAlgorithms', () => {
  it('keeps the asymmetric algorithms the provider announces', () => {
    expect(acceptedIdTokenAlgorithms(['RS256', 'PS256', 'ES256', 'Ed25519', 'EdDSA'])).toEqual([
      'RS256',
      'PS256',
      'ES256',
      'EdDSA',
      'Ed25519',
    ]);
    expect(acceptedIdTokenAlgorithms(['ES384'])).toEqual(['ES384']);
  });

  it('never takes none or an HMAC, whatever the provider announces', () => {
    expect(acceptedIdTokenAlgorithms(['HS256', 'none', 'RS256', 'HS512'])).toEqual(['RS256']);
    expect(acceptedIdTokenAlgorithms(['HS256', 'none'])).toEqual([]);
    expect(acceptedIdTokenAlgorithms(['rs256', 42, null])).toEqual([]);
  });

  it('falls back to RS256, the OpenID Connect default, when the provider announces nothing', () => {
    expect(acceptedIdTokenAlgorithms(undefined)).toEqual(['RS256']);
    expect(acceptedIdTokenAlgorithms('ES256')).toEqual(['RS256']);
  });
});
