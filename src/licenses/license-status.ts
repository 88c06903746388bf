/** What a license answers about itself, and the rules the API applies (pure: tested beside). */

/**
 * `inactive`: valid, no instance activated; `active`: valid, at least one instance; `revoked`: the
 * unit was refunded; `expired`: reserved for keys with an end date (the store issues none yet).
 */
export type LicenseStatus = 'inactive' | 'active' | 'revoked' | 'expired';

export interface LicenseFacts {
  /** the delivered key's own state */
  keyStatus: 'active' | 'revoked';
  /** epoch ms, or null: the store's keys do not expire yet */
  expiresAt?: number | null;
  sku: string;
  name: string;
  /** null: unlimited */
  activationLimit: number | null;
}

export interface InstanceFacts {
  instance_id: string;
  instance_name: string;
  created_at: number;
}

export interface LicenseAnswer {
  valid: boolean;
  status: LicenseStatus;
  license: { sku: string; name: string; activation_limit: number | null; activation_usage: number };
  instance: { id: string; name: string; created_at: string } | null;
}

const INSTANCE_ID = /^inst_[0-9a-f]{24}$/;

/** Keys are imported trimmed and signed keys carry no spaces, so a pasted key is trimmed the same way. */
export const normalizeKey = (raw: string) => raw.trim();

/** True for ids of the form the store issues; anything else can never match an instance. */
export const isInstanceId = (id: string) => INSTANCE_ID.test(id);

/** The status of a license given how many instances are active on it. */
export function licenseStatus(facts: Pick<LicenseFacts, 'keyStatus' | 'expiresAt'>, activeInstances: number, now: number): LicenseStatus {
  if (facts.keyStatus === 'revoked') return 'revoked';
  if (facts.expiresAt != null && facts.expiresAt <= now) return 'expired';
  return activeInstances > 0 ? 'active' : 'inactive';
}

/** Whether one more instance fits under the product's limit (null: unlimited). */
export function hasFreeSlot(activationLimit: number | null, activeInstances: number): boolean {
  return activationLimit === null || activeInstances < activationLimit;
}

/** The JSON every license endpoint answers with for a known key. */
export function describeLicense(facts: LicenseFacts, activeInstances: number, instance: InstanceFacts | null, now: number): LicenseAnswer {
  const status = licenseStatus(facts, activeInstances, now);
  return {
    valid: status === 'active' || status === 'inactive',
    status,
    license: { sku: facts.sku, name: facts.name, activation_limit: facts.activationLimit, activation_usage: activeInstances },
    instance: instance
      ? { id: instance.instance_id, name: instance.instance_name, created_at: new Date(instance.created_at).toISOString() }
      : null,
  };
}

/**
 * A machine or site name as given, trimmed; null when it is empty or holds control characters
 * (they would garble the buyer's order page and the owner's listing).
 */
export function cleanInstanceName(raw: string): string | null {
  const name = raw.trim();
  // eslint-disable-next-line no-control-regex
  return name.length === 0 || name.length > 200 || /[\u0000-\u001f\u007f]/.test(name) ? null : name;
}
