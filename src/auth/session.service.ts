import { hash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JWTPayload } from 'jose';
import type { Config } from '../platform/config.js';
import type { SecretBox } from '../platform/crypto.js';
import type { Database } from '../platform/db/db.js';
import { userFromClaims, type AuthUser } from './auth.user.js';
import { GrantRejectedError, type OidcClient, type TokenSet } from './oidc.client.js';
import { createSessionCache } from './session.cache.js';
import { createSessionRepo, type SessionRow } from './session.repo.js';
import { createSessionTokenChecks } from './session.token-checks.js';
import { InvalidTokenError, type TokenVerifier } from './token-verifier.js';

/** A session ends after this long without a request… */
export const SESSION_IDLE_MS = 7 * 24 * 3600_000;
/** …and after this long in any case. */
export const SESSION_ABSOLUTE_MS = 30 * 24 * 3600_000;
/**
 * An access token with less than this left is refreshed before the request goes on; a shorter-lived
 * token at half its lifetime, or every request would refresh it (a 30 s token made one page load
 * refresh nine times).
 */
export const REFRESH_MARGIN_MS = 60_000;
// Longer than a refresh can take (token endpoint timeout 10 s, JWKS fetches 5 s each), so no second
// request takes over a lease whose holder is still using the refresh token.
const LEASE_MS = 30_000;
const WAIT_FOR_OTHER_REFRESH_MS = 5_000;
const TOUCH_EVERY_MS = 5 * 60_000;

/** What a request authenticated by a session or a Bearer token carries. */
export interface AuthContext {
  method: 'session' | 'bearer';
  user: AuthUser;
  accessToken: string;
  accessExpiresAt: number;
  /** Hash of the session cookie (the sessions row id); null for Bearer requests. */
  sessionId: string | null;
  /** When the session's token is due for renewal (its expiry for a Bearer token). */
  refreshAt: number;
  /**
   * The session has no refresh token and its access token is due: only a silent re-authentication
   * at the provider (`prompt=none`, a redirect round trip) can renew it.
   */
  renewSilently: boolean;
}

interface StoredTokens {
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
  /** The access token's lifetime (exp - iat), absent in sessions stored before it was kept. */
  lifetimeMs?: number;
}

interface OpenSession {
  row: SessionRow;
  stored: StoredTokens;
}

/** What is left of a session that resolve() did not accept: nothing, a row to keep, or one to renew silently. */
export type SessionStatus = 'none' | 'kept' | 'renewable';

type Log = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };

export interface SessionServiceDeps {
  db: Database;
  secrets: SecretBox;
  clock: () => number;
  config: Config;
  oidc: OidcClient;
  verifier: TokenVerifier;
  log?: Log;
  /**
   * Keep sessions read by requests this long per instance (0 or absent: read every request). On
   * PostgreSQL only while this instance listens for other instances' changes (NOTIFY).
   */
  cacheMs?: number;
}

/**
 * The database id of a session cookie value: a leaked table holds no usable cookies. One-shot hash():
 * a Hash object per request keeps an OpenSSL context off the V8 heap until a full collection.
 */
export const sessionIdFor = (token: string) => hash('sha256', token, 'hex');

/**
 * Server-side sessions: tokens sealed at rest, validated on every request, refreshed near expiry.
 *
 * Refreshing races: the provider rotates refresh tokens and revokes the whole grant when a used one
 * comes back, so two requests must never both refresh. Within one process concurrent requests share
 * one refresh (a promise per session); across processes a lease in the row (one conditional UPDATE)
 * lets one request refresh while the others keep using the still-valid token or wait for the result.
 */
export function createSessionService({ db, secrets, clock, config, oidc, verifier, log, cacheMs = 0 }: SessionServiceDeps) {
  const repo = createSessionRepo(db);
  const { readSession, changed, forget, close } = createSessionCache({ db, repo, clock, cacheMs });
  const settings = { rolesClaim: config.oidc.rolesClaim, ownerRole: config.oidc.ownerRole };
  const inflight = new Map<string, Promise<SessionRow | null>>();
  const tokenChecks = createSessionTokenChecks(verifier, clock, log);
  const verified = ({ row, stored }: OpenSession) => tokenChecks.check(row, stored.accessToken);

  const seal = (t: StoredTokens) => secrets.seal(JSON.stringify(t));
  // Opening the sealed tokens (AES-GCM and JSON) was a twentieth of a logged-in page's CPU: opened
  // once per row object, so a session this instance keeps (session.cache.ts) is opened once.
  const openRows = new WeakMap<SessionRow, StoredTokens>();
  const open = (row: SessionRow) => {
    let stored = openRows.get(row);
    if (!stored) openRows.set(row, (stored = JSON.parse(secrets.open(row.tokens_encrypted)) as StoredTokens));
    return stored;
  };
  const userOf = (row: SessionRow): AuthUser => {
    const roles = JSON.parse(row.roles) as string[];
    return { sub: row.user_sub, email: row.email, name: row.name, roles, isOwner: roles.includes(settings.ownerRole) };
  };
  const expiryOf = (claims: JWTPayload) => (claims.exp ?? 0) * 1000;
  // A token without `iat` (it is optional) counts from now: it was issued a moment ago.
  const lifetimeOf = (claims: JWTPayload) => Math.max(0, expiryOf(claims) - (claims.iat ? claims.iat * 1000 : clock()));
  const marginFor = (stored: StoredTokens, minValidityMs: number) => Math.min(minValidityMs, (stored.lifetimeMs ?? Infinity) / 2);

  /**
   * The session with its tokens opened; null when they are sealed under a key this instance lacks
   * (another instance, restarted with a new key, may still serve it: only a refresh deletes it).
   */
  const opened = (row: SessionRow | null): OpenSession | null => {
    if (!row) return null;
    try {
      return { row, stored: open(row) };
    } catch {
      return null;
    }
  };

  /** The columns of a session holding newly issued tokens (a refresh's, or a silent renewal's). */
  function freshFields(row: SessionRow, tokens: TokenSet, claims: JWTPayload, previous: StoredTokens | null) {
    const user = userFromClaims([tokens.idClaims ?? {}, claims, { email: row.email, name: row.name }], settings);
    return {
      tokens_encrypted: seal({
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken ?? previous?.refreshToken ?? null,
        idToken: tokens.idToken ?? previous?.idToken ?? null,
        lifetimeMs: lifetimeOf(claims),
      }),
      access_expires_at: expiryOf(claims),
      email: user.email,
      name: user.name,
      roles: JSON.stringify(user.roles),
      last_seen_at: clock(),
    };
  }

  async function refreshTokens(row: SessionRow): Promise<SessionRow | null> {
    const stored = opened(row)?.stored;
    if (!stored) {
      // Sealed under a key no longer configured: nothing usable is left in this session.
      await repo.delete(row.id);
      await changed(row.id);
      return null;
    }
    if (!stored.refreshToken) {
      await repo.releaseRefreshLease(row.id);
      return row.access_expires_at > clock() ? row : null;
    }
    try {
      const fresh = await oidc.refresh(stored.refreshToken);
      if (fresh.idToken) await verifier.verifyIdToken(fresh.idToken);
      const claims = await verifier.verifyAccessToken(fresh.accessToken, { fromProvider: true });
      if (claims.sub !== row.user_sub || (fresh.idClaims && fresh.idClaims.sub !== row.user_sub))
        throw new InvalidTokenError('subject changed');
      const fields = freshFields(row, fresh, claims, stored);
      await repo.updateTokens(row.id, fields);
      await changed(row.id);
      return { ...row, ...fields, refresh_lease_until: null };
    } catch (err) {
      if (err instanceof GrantRejectedError || err instanceof InvalidTokenError) {
        log?.info({ reason: err.message }, 'session ended: the identity provider refused to refresh it');
        await repo.delete(row.id);
        await changed(row.id);
        return null;
      }
      // The provider is unreachable or failing: keep the session for a later attempt.
      log?.warn({ err }, 'session refresh failed');
      await repo.releaseRefreshLease(row.id);
      return row.access_expires_at > clock() ? row : null;
    }
  }

  async function refreshOnce(seen: SessionRow): Promise<SessionRow | null> {
    const started = Date.now();
    for (;;) {
      const now = clock();
      if (await repo.claimRefreshLease(seen.id, now, now + LEASE_MS)) {
        const current = await repo.findById(seen.id);
        if (!current) return null;
        // Sealed values carry a random IV: a different value means someone refreshed in between.
        if (current.tokens_encrypted !== seen.tokens_encrypted) {
          await repo.releaseRefreshLease(seen.id);
          return current;
        }
        return refreshTokens(current);
      }
      const current = await repo.findById(seen.id);
      if (!current) return null;
      if (current.tokens_encrypted !== seen.tokens_encrypted) return current;
      // Another request holds the lease; a token that is still valid serves this one meanwhile.
      if (current.access_expires_at > clock()) return current;
      if (Date.now() - started > WAIT_FOR_OTHER_REFRESH_MS) return null;
      await sleep(100);
    }
  }

  function refreshShared(row: SessionRow): Promise<SessionRow | null> {
    let pending = inflight.get(row.id);
    if (!pending) {
      pending = refreshOnce(row).finally(() => inflight.delete(row.id));
      inflight.set(row.id, pending);
    }
    return pending;
  }

  return {
    /** Starts a session for freshly issued tokens; the previous session of this browser (if any) ends. */
    async create(tokens: TokenSet, accessClaims: JWTPayload, previousToken?: string): Promise<{ token: string; user: AuthUser }> {
      const now = clock();
      const user = userFromClaims([tokens.idClaims ?? {}, accessClaims], settings);
      const token = randomBytes(32).toString('base64url');
      await db.transaction(async (tx) => {
        if (previousToken) {
          await repo.delete(sessionIdFor(previousToken), tx);
          await changed(sessionIdFor(previousToken), tx);
        }
        await repo.insert(
          {
            id: sessionIdFor(token),
            user_sub: user.sub,
            email: user.email,
            name: user.name,
            roles: JSON.stringify(user.roles),
            tokens_encrypted: seal({
              accessToken: tokens.accessToken,
              refreshToken: tokens.refreshToken,
              idToken: tokens.idToken,
              lifetimeMs: lifetimeOf(accessClaims),
            }),
            access_expires_at: expiryOf(accessClaims),
            created_at: now,
            last_seen_at: now,
            expires_at: now + SESSION_IDLE_MS,
            refresh_lease_until: null,
          },
          tx,
        );
      });
      return { token, user };
    },

    /**
     * The session behind a cookie value, its access token validated and refreshed when it has less
     * than `minValidityMs` left; null when there is none, it expired, or the provider ended it.
     */
    async resolve(token: string, minValidityMs = REFRESH_MARGIN_MS): Promise<AuthContext | null> {
      const id = sessionIdFor(token);
      const row = await readSession(id);
      if (!row) return null;
      const now = clock();
      if (row.expires_at <= now || row.created_at + SESSION_ABSOLUTE_MS <= now) {
        await repo.delete(id);
        await changed(id);
        return null;
      }
      const due = (s: OpenSession) => s.row.access_expires_at - now < marginFor(s.stored, minValidityMs);
      let session = opened(row);
      if (session?.stored.refreshToken && due(session)) session = opened(await refreshShared(session.row));
      // Without a refresh token an expired session waits for a silent renewal (status 'renewable').
      if (session && !session.stored.refreshToken && session.row.access_expires_at <= now) return null;
      let accessToken = session && (await verified(session));
      // A token refused before its expiry (keys rotated, say) gets one refresh before giving up.
      if (session?.stored.refreshToken && !accessToken && !due(session)) {
        session = opened(await refreshShared(session.row));
        accessToken = session && (await verified(session));
      }
      if (!session || !accessToken) return null;
      const current = session.row;
      if (now - current.last_seen_at > TOUCH_EVERY_MS) {
        await repo.touch(id, now, Math.min(now + SESSION_IDLE_MS, current.created_at + SESSION_ABSOLUTE_MS));
        // Another instance's older copy only expires sooner, and this one is read again once.
        forget(id);
      }
      return {
        method: 'session',
        user: userOf(current),
        accessToken,
        accessExpiresAt: current.access_expires_at,
        sessionId: id,
        refreshAt: current.access_expires_at - marginFor(session.stored, minValidityMs),
        renewSilently: !session.stored.refreshToken && due(session),
      };
    },

    /**
     * Stores the tokens of a silent re-authentication in the session it renews, which keeps its id
     * and its age; false (and the session ended) when it is gone or the provider names another user.
     */
    async renew(token: string, tokens: TokenSet, accessClaims: JWTPayload): Promise<boolean> {
      const row = await repo.findById(sessionIdFor(token));
      if (!row) return false;
      if (row.user_sub !== accessClaims.sub) {
        await repo.delete(row.id);
        await changed(row.id);
        return false;
      }
      await repo.updateTokens(row.id, freshFields(row, tokens, accessClaims, null));
      await changed(row.id);
      return true;
    },

    /** A request authenticated by `Authorization: Bearer`: the access token alone, no session. */
    async verifyBearer(accessToken: string): Promise<AuthContext> {
      const claims = await verifier.verifyAccessToken(accessToken);
      const user = userFromClaims([claims], settings);
      const expires = expiryOf(claims);
      return { method: 'bearer', user, accessToken, accessExpiresAt: expires, sessionId: null, refreshAt: expires, renewSilently: false };
    },

    /**
     * What is left of a session resolve() did not accept: a failed resolve may be the provider being
     * down (the session is kept for a later refresh), or a session without a refresh token whose
     * access token expired (a silent re-authentication can renew it).
     */
    async status(token: string): Promise<SessionStatus> {
      const row = await repo.findById(sessionIdFor(token));
      if (!row) return 'none';
      return opened(row)?.stored.refreshToken === null ? 'renewable' : 'kept';
    },

    /** Ends a session (logout). */
    async destroy(token: string): Promise<void> {
      await repo.delete(sessionIdFor(token));
      await changed(sessionIdFor(token));
    },

    /** Keeps the session's copy of the user in step after a profile change at the provider. */
    async updateUser(sessionId: string, user: { email: string; name: string }) {
      await repo.updateUserSnapshot(sessionId, { email: user.email.slice(0, 320), name: user.name.slice(0, 200) });
      await changed(sessionId);
    },

    /** Deletes expired sessions and abandoned login transactions. */
    deleteExpired: () => repo.deleteExpired(clock()),

    /** Stops listening for other instances' changes (app shutdown). */
    close,
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
