import { AppError } from '../platform/errors.js';

/**
 * Every error code the license API answers with, its HTTP status and when it happens: the
 * OpenAPI description is built from this list, so the two cannot drift apart.
 */
export const licenseErrorCodes = {
  invalid_input: {
    status: 400,
    when: 'A field is missing, of the wrong type or too long (license_key over 1024 characters, instance_id over 100, instance_name empty, over 200 characters or holding control characters).',
  },
  license_not_found: { status: 404, when: 'No key the store issued matches license_key (also for malformed keys).' },
  instance_not_found: {
    status: 404,
    when: 'The key is known, but instance_id is not one of its active instances (never issued, deactivated, or of another key).',
  },
  activation_limit_reached: {
    status: 409,
    when: 'Every activation the product allows is in use; deactivate an instance first. `details` holds activation_limit and activation_usage.',
  },
  license_revoked: { status: 410, when: 'The key was refunded: it cannot be activated any more (validate answers status `revoked`).' },
  rate_limited: {
    status: 429,
    when: 'Too many requests from this client or for this key; retry after the number of seconds in Retry-After.',
  },
} as const;

export type LicenseErrorCode = keyof typeof licenseErrorCodes;

/** A license API refusal with one of the codes above. */
export class LicenseError extends AppError {
  constructor(code: Exclude<LicenseErrorCode, 'invalid_input' | 'rate_limited'>, message: string, details?: Record<string, unknown>) {
    super(code, message, licenseErrorCodes[code].status, details);
  }
}

export const licenseNotFound = () => new LicenseError('license_not_found', 'This license key is not valid.');
export const instanceNotFound = () => new LicenseError('instance_not_found', 'This license key has no active instance with that id.');
