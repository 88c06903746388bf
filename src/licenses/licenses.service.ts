import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../platform/crypto.js';
import type { Database, Executor } from '../platform/db/db.js';
import { NotFoundError, ValidationError } from '../platform/errors.js';
import {
  cleanInstanceName,
  describeLicense,
  hasFreeSlot,
  licenseStatus,
  normalizeKey,
  type InstanceFacts,
  type LicenseAnswer,
  type LicenseFacts,
  type LicenseStatus,
} from './license-status.js';
import { instanceNotFound, LicenseError, licenseNotFound } from './licenses.errors.js';
import { createLicensesRepo, type LicenseRow } from './licenses.repo.js';

/** The buyer's order and its items, or the orders domain's 404 for anyone else. */
export interface LicenseOrders {
  getOrderForUser(orderId: string, userSub: string): Promise<{ items: ReadonlyArray<{ id: number }> }>;
}

/** The delivered keys of order items (their ids are what activations hang on). */
export interface LicenseDeliveries {
  findDeliveries(itemIds: number[]): Promise<{ keys: ReadonlyArray<{ id: number }> }>;
}

export interface LicensesDeps {
  db: Database;
  secrets: Pick<SecretBox, 'hashes'>;
  orders: LicenseOrders;
  fulfilment: LicenseDeliveries;
  clock?: () => number;
}

/** Activations of one key as its buyer sees them on the order page. */
export interface KeyActivations {
  limit: number | null;
  instances: { id: string; name: string; createdAt: number }[];
}

/** One license as the owner's CLI lists it: no key, only its lookup hash. */
export interface OwnerLicenseView {
  keyHash: string;
  orderId: string;
  sku: string;
  unit: number;
  status: LicenseStatus;
  activationLimit: number | null;
  instances: { id: string; name: string; createdAt: number; deactivatedAt: number | null }[];
}

const ORDER_ID = /^ord_[0-9a-f]{24}$/;
const HASH_PREFIX = /^[0-9a-f]{8,64}$/;

const facts = (row: LicenseRow): LicenseFacts => ({
  keyStatus: row.status,
  sku: row.sku,
  name: row.name,
  activationLimit: row.activation_limit,
});
// 96 random bits: an instance id cannot be guessed, so it can stand in for the key when deactivating.
const newInstanceId = () => `inst_${randomBytes(12).toString('hex')}`;

/**
 * The license API for vendors' software (the key is the credential), and the activations the buyer
 * and the owner manage. Unknown and known keys go through the same hashes and the same queries.
 * A key is looked up under every configured encryption key, so a valid key stays found while a
 * rotation is rolled out and re-hashed, whichever key each instance and each row is on.
 */
export function createLicensesService({ db, secrets, orders, fulfilment, clock = Date.now }: LicensesDeps) {
  const repo = createLicensesRepo(db);
  /** The lookup hashes of a key as given (trimmed), under each configured encryption key. */
  const keyHashes = (rawKey: string) => secrets.hashes(normalizeKey(rawKey));

  return {
    /**
     * One hash naming a key for its rate limit: the smallest of its hashes, so instances holding the
     * same keys (whichever is current) count a key in one bucket while a rotation is rolled out.
     */
    keyHash: (rawKey: string) => keyHashes(rawKey).sort()[0]!,

    /** Whether a key is valid, its status and usage, and the named instance (404 when not one of its active ones). */
    async validate(rawKey: string, instanceId?: string): Promise<LicenseAnswer> {
      const license = await repo.findLicenseByHash(keyHashes(rawKey));
      // Asked even for an unknown key (id 0 never exists): both answers cost the same two queries.
      const instances = await repo.findActiveInstances([license?.id ?? 0]);
      if (!license) throw licenseNotFound();
      const instance = instanceId ? instances.find((i) => i.instance_id === instanceId) : undefined;
      if (instanceId && !instance) throw instanceNotFound();
      return describeLicense(facts(license), instances.length, instance ?? null, clock());
    },

    /**
     * Registers an instance under the key's row lock, so racing activations never pass the limit.
     * An instance name already active on the key answers that instance again (`created: false`):
     * a retried request never uses a second slot.
     */
    async activate(rawKey: string, rawName: string): Promise<LicenseAnswer & { created: boolean }> {
      const name = cleanInstanceName(rawName);
      if (name === null)
        throw new ValidationError('instance_name must be 1 to 200 characters without control characters.', { field: 'instance_name' });
      const hashes = keyHashes(rawKey);
      return db.transaction(async (tx) => {
        const license = await repo.lockLicenseByHash(hashes, tx);
        if (!license) throw licenseNotFound();
        const now = clock();
        const instances = await repo.findActiveInstances([license.id], tx);
        const same = instances.find((i) => i.instance_name === name);
        if (license.status === 'revoked')
          throw new LicenseError('license_revoked', 'This license key was refunded and can no longer be activated.');
        if (same) return { ...describeLicense(facts(license), instances.length, same, now), created: false };
        if (!hasFreeSlot(license.activation_limit, instances.length)) {
          throw new LicenseError(
            'activation_limit_reached',
            `This license key is already activated on ${instances.length} of ${license.activation_limit} allowed instances. Deactivate one first.`,
            {
              activation_limit: license.activation_limit,
              activation_usage: instances.length,
            },
          );
        }
        const instance: InstanceFacts = { instance_id: newInstanceId(), instance_name: name, created_at: now };
        await repo.insertActivation({ delivered_key_id: license.id, ...instance }, tx);
        return { ...describeLicense(facts(license), instances.length + 1, instance, now), created: true };
      });
    },

    /** Frees an instance's slot; the answer is the license afterwards. A revoked key may still free its slots. */
    async deactivate(rawKey: string, instanceId: string): Promise<LicenseAnswer> {
      const license = await repo.findLicenseByHash(keyHashes(rawKey));
      const now = clock();
      // Run for an unknown key too (id 0 never exists): both answers cost the same two queries.
      const done = await repo.deactivate([license?.id ?? 0], instanceId, now);
      if (!license) throw licenseNotFound();
      if (!done) throw instanceNotFound();
      return describeLicense(facts(license), (await repo.findActiveInstances([license.id])).length, null, now);
    },

    /** Active instances and limits of delivered keys, for their order page. */
    async activationsOf(deliveredKeyIds: number[]): Promise<Map<number, KeyActivations>> {
      const [limits, instances] = await Promise.all([repo.findLimits(deliveredKeyIds), repo.findActiveInstances(deliveredKeyIds)]);
      const byKey = new Map(limits.map((l) => [l.id, { limit: l.activation_limit, instances: [] } as KeyActivations]));
      for (const i of instances)
        byKey.get(i.delivered_key_id)?.instances.push({ id: i.instance_id, name: i.instance_name, createdAt: i.created_at });
      return byKey;
    },

    /** The owner's listing: the licenses of an order, or those whose key hash starts with a prefix (8+ hex). */
    async listForOwner(query: string): Promise<OwnerLicenseView[]> {
      const q = query.trim().toLowerCase();
      if (!ORDER_ID.test(q) && !HASH_PREFIX.test(q))
        throw new ValidationError('Give an order id (ord_…) or at least 8 hex characters of a key hash.');
      const rows = ORDER_ID.test(q) ? await repo.findLicensesOfOrder(q) : await repo.findLicensesByHashPrefix(q, 50);
      const instances = Map.groupBy(await repo.findInstances(rows.map((r) => r.id)), (i) => i.delivered_key_id);
      const now = clock();
      return rows.map((r) => {
        const mine = instances.get(r.id) ?? [];
        const active = mine.filter((i) => i.deactivated_at === null).length;
        return {
          keyHash: r.key_hash,
          orderId: r.order_id,
          sku: r.sku,
          unit: r.unit_index,
          status: licenseStatus({ keyStatus: r.status }, active, now),
          activationLimit: r.activation_limit,
          instances: mine.map((i) => ({
            id: i.instance_id,
            name: i.instance_name,
            createdAt: i.created_at,
            deactivatedAt: i.deactivated_at,
          })),
        };
      });
    },

    /**
     * The owner frees an instance's slot whatever its key; 404 when no such active instance exists.
     * `then` runs in the same transaction (the owner's audit row).
     */
    async revokeActivation(
      instanceId: string,
      then?: (tx: Executor, revoked: { id: string; name: string; activatedAt: number }) => Promise<void>,
    ): Promise<{ id: string; name: string }> {
      return db.transaction(async (tx) => {
        const row = await repo.deactivateById(instanceId.trim(), clock(), tx);
        if (!row) throw new NotFoundError('There is no active instance with that id.', 'instance_not_found');
        await then?.(tx, { id: row.instance_id, name: row.instance_name, activatedAt: row.created_at });
        return { id: row.instance_id, name: row.instance_name };
      });
    },

    /** The buyer's deactivate button: only the order's owner, only an instance of that item's keys (else 404). */
    async deactivateForBuyer(orderId: string, itemId: number, instanceId: string, userSub: string): Promise<void> {
      const { items } = await orders.getOrderForUser(orderId, userSub);
      if (!items.some((i) => i.id === itemId)) throw new NotFoundError('There is no such activation in this order.', 'instance_not_found');
      const { keys } = await fulfilment.findDeliveries([itemId]);
      if (
        !(await repo.deactivate(
          keys.map((k) => k.id),
          instanceId,
          clock(),
        ))
      )
        throw new NotFoundError('There is no such activation in this order.', 'instance_not_found');
    },
  };
}

export type LicensesService = ReturnType<typeof createLicensesService>;
