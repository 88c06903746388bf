/** The person a request acts for: from the session's ID and access token claims, or a Bearer token. */
export interface AuthUser {
  sub: string;
  email: string;
  name: string;
  roles: string[];
  isOwner: boolean;
}

export interface RoleSettings {
  /** Claim holding the roles: a plain name (`roles`, `https://shop.example/roles`) or a dot path (`realm_access.roles`). */
  rolesClaim: string;
  ownerRole: string;
}

type Claims = Record<string, unknown>;

/** A claim by its exact name first (Auth0's namespaced claims contain dots), then as a dot path. */
export function readClaim(claims: Claims, name: string): unknown {
  if (name in claims) return claims[name];
  let value: unknown = claims;
  for (const part of name.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Claims)[part];
  }
  return value;
}

function rolesFrom(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((r): r is string => typeof r === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return [];
}

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** Builds the user from claims; the first claims object that has a value wins for each field. */
export function userFromClaims(sources: Claims[], settings: RoleSettings): AuthUser {
  const first = (name: string) => sources.map((c) => text(c[name])).find(Boolean) ?? '';
  const email = first('email');
  const given = [first('given_name'), first('family_name')].filter(Boolean).join(' ');
  const name = (first('name') || given || first('preferred_username') || email).slice(0, 200);
  const roles = [...new Set(sources.flatMap((c) => rolesFrom(readClaim(c, settings.rolesClaim))))];
  return { sub: first('sub'), email: email.slice(0, 320), name, roles, isOwner: roles.includes(settings.ownerRole) };
}
