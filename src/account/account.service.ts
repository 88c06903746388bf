import type { AuthContext, SessionService } from '../auth/session.service.js';
import type { Config } from '../platform/config.js';
import { AppError, UnauthorizedError } from '../platform/errors.js';

/** The profile fields the store shows and edits. */
export interface Profile {
  firstName: string;
  lastName: string;
  email: string;
}

export type ProfileField = keyof Profile;
export type ProfileErrors = Partial<Record<ProfileField | 'form', string>>;

/** The provider's account API failed or cannot be reached. */
export class AccountUnavailableError extends AppError {
  constructor() {
    super('account_unavailable', 'Your account details cannot be loaded right now. Please try again in a moment.', 502);
  }
}

// Keycloak's message keys (the dev IdP answers with the same) in words a buyer understands.
const MESSAGES: Record<string, string> = {
  'error-user-attribute-required': 'Please fill in this field.',
  missingFirstNameMessage: 'Please fill in this field.',
  missingLastNameMessage: 'Please fill in this field.',
  missingEmailMessage: 'Please fill in this field.',
  'error-invalid-length': 'This is too long.',
  'error-invalid-email': 'Enter a valid email address.',
  invalidEmailMessage: 'Enter a valid email address.',
  emailExistsMessage: 'Another account already uses this email address.',
  'error-person-name-invalid-character': 'This contains characters that are not allowed in a name.',
};

const LIMITS: Record<ProfileField, number> = { firstName: 100, lastName: 100, email: 254 };

interface ProviderFieldError {
  field?: string;
  errorMessage?: string;
}

/** Field errors from a Keycloak-shaped 400: `{field, errorMessage}` or `{errors: [...]}`. */
export function mapProviderErrors(body: unknown): ProfileErrors {
  const list: ProviderFieldError[] = Array.isArray((body as { errors?: unknown })?.errors)
    ? (body as { errors: ProviderFieldError[] }).errors
    : [body as ProviderFieldError];
  const errors: ProfileErrors = {};
  for (const e of list) {
    const key = typeof e?.errorMessage === 'string' ? e.errorMessage : 'unknown';
    const message = MESSAGES[key] ?? `The identity provider did not accept this (${key.slice(0, 80)}).`;
    const field = (['firstName', 'lastName', 'email'] as const).find((f) => f === e?.field) ?? 'form';
    errors[field] ??= message;
  }
  return errors;
}

/**
 * The user's profile, kept at the identity provider and reached through its account API (the
 * Keycloak Account REST API shape: GET/POST {issuer}/account) with the user's own access token.
 */
export function createAccountService({
  config,
  sessions,
  fetch = globalThis.fetch,
}: {
  config: Config;
  sessions: SessionService;
  fetch?: typeof globalThis.fetch;
}) {
  const url = config.oidc.accountApiUrl;

  async function call(auth: AuthContext, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url!, {
        ...init,
        headers: { accept: 'application/json', authorization: `Bearer ${auth.accessToken}`, ...(init.headers as Record<string, string>) },
        redirect: 'error',
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      throw new AccountUnavailableError();
    }
    if (response.status === 401 || response.status === 403)
      throw new UnauthorizedError('Your session has ended. Please log in again.', 'session_expired');
    return response;
  }

  async function readRaw(auth: AuthContext): Promise<Record<string, unknown>> {
    const response = await call(auth);
    if (!response.ok) throw new AccountUnavailableError();
    const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
    if (!body || typeof body !== 'object') throw new AccountUnavailableError();
    return body;
  }

  const text = (v: unknown) => (typeof v === 'string' ? v : '');

  return {
    /** Whether the provider has an account API (OIDC_ACCOUNT_API_URL=none turns it off). */
    editable: url !== null,

    /** The profile from the provider, or the session's copy when there is no account API. */
    async getProfile(auth: AuthContext): Promise<Profile> {
      if (!url) {
        const [firstName = '', ...rest] = auth.user.name.split(' ');
        return { firstName, lastName: rest.join(' '), email: auth.user.email };
      }
      const raw = await readRaw(auth);
      return { firstName: text(raw.firstName), lastName: text(raw.lastName), email: text(raw.email) };
    },

    /** Saves the profile at the provider; returns field errors (ours or the provider's), none when saved. */
    async updateProfile(auth: AuthContext, input: Profile): Promise<ProfileErrors> {
      if (!url) return { form: 'Your profile is managed at the identity provider.' };
      const values: Profile = { firstName: input.firstName.trim(), lastName: input.lastName.trim(), email: input.email.trim() };
      const errors: ProfileErrors = {};
      for (const field of Object.keys(LIMITS) as ProfileField[])
        if (values[field].length > LIMITS[field]) errors[field] = 'This is too long.';
      if (Object.keys(errors).length > 0) return errors;
      // Keycloak expects the whole representation back, so unknown fields (username, attributes) round-trip.
      const current = await readRaw(auth);
      const response = await call(auth, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...current, ...values }),
      });
      if (response.status === 400 || response.status === 409 || response.status === 422)
        return mapProviderErrors(await response.json().catch(() => ({})));
      if (!response.ok) throw new AccountUnavailableError();
      if (auth.sessionId)
        await sessions.updateUser(auth.sessionId, { email: values.email, name: `${values.firstName} ${values.lastName}`.trim() });
      return {};
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
