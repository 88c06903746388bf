import { describe, expect, it } from 'vitest';
import { cleanInstanceName, describeLicense, hasFreeSlot, isInstanceId, licenseStatus, normalizeKey } from './license-status.js';

describe('license status', () => {
  const now = 1_700_000_000_000;

  it('is revoked for a refunded key whatever its instances, else active with an instance, else inactive', () => {
    expect(licenseStatus({ keyStatus: 'revoked' }, 3, now)).toBe('revoked');
    expect(licenseStatus({ keyStatus: 'active' }, 1, now)).toBe('active');
    expect(licenseStatus({ keyStatus: 'active' }, 0, now)).toBe('inactive');
  });

  it('is expired once a key has an end date in the past (none issued yet)', () => {
    expect(licenseStatus({ keyStatus: 'active', expiresAt: now }, 1, now)).toBe('expired');
    expect(licenseStatus({ keyStatus: 'active', expiresAt: now + 1 }, 1, now)).toBe('active');
    expect(licenseStatus({ keyStatus: 'revoked', expiresAt: now - 1 }, 0, now)).toBe('revoked');
  });

  it('has a free slot below the limit, always without one', () => {
    expect(hasFreeSlot(2, 1)).toBe(true);
    expect(hasFreeSlot(2, 2)).toBe(false);
    expect(hasFreeSlot(1, 5)).toBe(false);
    expect(hasFreeSlot(null, 10_000)).toBe(true);
  });

  it('answers valid only for active and inactive keys, with usage and the instance in ISO time', () => {
    const facts = { keyStatus: 'active' as const, sku: 'APP', name: 'App', activationLimit: 3 };
    expect(describeLicense(facts, 0, null, now)).toEqual({
      valid: true,
      status: 'inactive',
      license: { sku: 'APP', name: 'App', activation_limit: 3, activation_usage: 0 },
      instance: null,
    });
    const instance = { instance_id: 'inst_0123456789abcdef01234567', instance_name: 'laptop', created_at: now };
    expect(describeLicense(facts, 1, instance, now).instance).toEqual({
      id: instance.instance_id,
      name: 'laptop',
      created_at: new Date(now).toISOString(),
    });
    expect(describeLicense({ ...facts, keyStatus: 'revoked' }, 1, null, now)).toMatchObject({ valid: false, status: 'revoked' });
  });

  it('trims keys and instance names, refusing empty, over-long or control-character names', () => {
    expect(normalizeKey('  KEY-1\n')).toBe('KEY-1');
    expect(cleanInstanceName('  build-server ')).toBe('build-server');
    expect(cleanInstanceName('é'.repeat(200))).toBe('é'.repeat(200));
    for (const bad of ['', '   ', 'x'.repeat(201), 'a\nb', 'tab\there', 'nul\u0000']) expect(cleanInstanceName(bad)).toBeNull();
  });

  it('recognises only instance ids of the issued form', () => {
    expect(isInstanceId('inst_0123456789abcdef01234567')).toBe(true);
    for (const bad of ['inst_0123456789ABCDEF01234567', 'inst_123', 'x_0123456789abcdef01234567', ''])
      expect(isInstanceId(bad)).toBe(false);
  });
});
