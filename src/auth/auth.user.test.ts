import { describe, expect, it } from 'vitest';
import { readClaim, userFromClaims } from './auth.user.js';

const settings = { rolesClaim: 'roles', ownerRole: 'owner' };

describe('userFromClaims', () => {
  it('takes name, email and roles, and marks the owner role', () => {
    const user = userFromClaims([{ sub: 'u1', email: 'a@b.example', name: 'Ada Lovelace', roles: ['owner', 'x'] }], settings);
    expect(user).toEqual({ sub: 'u1', email: 'a@b.example', name: 'Ada Lovelace', roles: ['owner', 'x'], isOwner: true });
  });

  it('builds a name from given and family name, then falls back to the email', () => {
    expect(userFromClaims([{ sub: 'u', given_name: 'Ada', family_name: 'L' }], settings).name).toBe('Ada L');
    expect(userFromClaims([{ sub: 'u', email: 'e@x.example' }], settings).name).toBe('e@x.example');
  });

  it('merges roles from the access token and the ID token, and is not an owner without the role', () => {
    const user = userFromClaims(
      [
        { sub: 'u', roles: ['buyer'] },
        { sub: 'u', roles: 'buyer editor' },
      ],
      settings,
    );
    expect(user.roles).toEqual(['buyer', 'editor']);
    expect(user.isOwner).toBe(false);
  });

  it('reads Keycloak realm roles through a dot path and Auth0 namespaced claims by exact name', () => {
    const keycloak = userFromClaims([{ sub: 'u', realm_access: { roles: ['shop-owner'] } }], {
      rolesClaim: 'realm_access.roles',
      ownerRole: 'shop-owner',
    });
    expect(keycloak.isOwner).toBe(true);
    const auth0 = userFromClaims([{ sub: 'u', 'https://shop.example/roles': ['owner'] }], {
      rolesClaim: 'https://shop.example/roles',
      ownerRole: 'owner',
    });
    expect(auth0.isOwner).toBe(true);
  });

  it('ignores roles that are not strings', () => {
    expect(readClaim({ roles: 5 }, 'roles')).toBe(5);
    expect(userFromClaims([{ sub: 'u', roles: [1, { a: 1 }, 'ok'] }], settings).roles).toEqual(['ok']);
  });
});
