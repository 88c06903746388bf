import { randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** A user of the development identity provider. */
export interface IdpUser {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  roles: string[];
  passwordHash: string;
  createdAt: number;
}

export interface ProfileInput {
  email: string;
  firstName: string;
  lastName: string;
}

/** A field error in the Keycloak Account REST API shape (`errorMessage` is a message key). */
export interface FieldError {
  field: string;
  errorMessage: string;
  params: string[];
}

/** The users the dev IdP knows; kept in memory, or in a JSON file when `npm start` runs it. */
export interface UserStore {
  findById(id: string): IdpUser | undefined;
  findByEmail(email: string): IdpUser | undefined;
  /** The user for an email and password, or undefined (same work either way). */
  authenticate(email: string, password: string): Promise<IdpUser | undefined>;
  register(input: ProfileInput & { password: string }): Promise<{ user?: IdpUser; errors: FieldError[] }>;
  updateProfile(id: string, input: ProfileInput): { user?: IdpUser; errors: FieldError[] };
  /** Extra state the IdP persists beside its users (signing keys, cookie keys). */
  extras: Record<string, unknown>;
  saveExtras(extras: Record<string, unknown>): void;
}

/** The seeded accounts; fixed ids so the store's data keyed by `sub` survives a reset of the IdP's file. */
export const DEMO_USERS = [
  {
    id: '7d0c4f9e-5b1a-4c3e-9f57-0d2a6b1e8c01',
    email: 'demo@example.com',
    password: 'demo1234',
    firstName: 'Demo',
    lastName: 'Buyer',
    roles: [],
  },
  {
    id: '3b8e2a71-94cd-4f0a-a6e2-5c7d9f1b2e02',
    email: 'owner@example.com',
    password: 'owner1234',
    firstName: 'Shop',
    lastName: 'Owner',
    roles: ['owner'],
  },
] as const;

const EMAIL = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/;

async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32);
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [, salt, hash] = stored.split('$');
  if (!salt || !hash) return false;
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), 32);
  const expected = Buffer.from(hash, 'base64url');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Validates profile fields with Keycloak's message keys, so the store's error mapping is exercised for real. */
export function validateProfile(input: ProfileInput): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of ['firstName', 'lastName', 'email'] as const) {
    const value = input[field].trim();
    if (!value) errors.push({ field, errorMessage: 'error-user-attribute-required', params: [field] });
    else if (value.length > (field === 'email' ? 254 : 100)) {
      errors.push({ field, errorMessage: 'error-invalid-length', params: [field, '1', field === 'email' ? '254' : '100'] });
    } else if (field === 'email' && !EMAIL.test(value)) errors.push({ field, errorMessage: 'error-invalid-email', params: [field] });
  }
  return errors;
}

interface StoredFile {
  users: IdpUser[];
  extras?: Record<string, unknown>;
}

/** Opens the user store; seeds the demo and owner users when they are missing. */
export async function createUserStore(file?: string): Promise<UserStore> {
  const data: StoredFile = file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StoredFile) : { users: [] };
  data.extras ??= {};
  const byId = new Map(data.users.map((u) => [u.id, u]));
  const save = () => {
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    // Write then rename: a crash mid-write never leaves a truncated file behind.
    writeFileSync(`${file}.tmp`, JSON.stringify({ users: [...byId.values()], extras: data.extras }, null, 2), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  };
  const findByEmail = (email: string) => {
    const wanted = email.trim().toLowerCase();
    return [...byId.values()].find((u) => u.email.toLowerCase() === wanted);
  };
  const dummyHash = await hashPassword(randomUUID());

  let seeded = false;
  for (const demo of DEMO_USERS) {
    if (byId.has(demo.id) || findByEmail(demo.email)) continue;
    const { password, ...rest } = demo;
    byId.set(demo.id, { ...rest, roles: [...demo.roles], passwordHash: await hashPassword(password), createdAt: Date.now() });
    seeded = true;
  }
  if (seeded) save();

  return {
    findById: (id) => byId.get(id),
    findByEmail,
    async authenticate(email, password) {
      const user = findByEmail(email);
      const ok = await verifyPassword(password, user?.passwordHash ?? dummyHash);
      return ok ? user : undefined;
    },
    async register(input) {
      const errors = validateProfile(input);
      if (input.password.length < 8) errors.push({ field: 'password', errorMessage: 'invalidPasswordMinLengthMessage', params: ['8'] });
      else if (input.password.length > 200)
        errors.push({ field: 'password', errorMessage: 'invalidPasswordMaxLengthMessage', params: ['200'] });
      if (!errors.some((e) => e.field === 'email') && findByEmail(input.email)) {
        errors.push({ field: 'email', errorMessage: 'emailExistsMessage', params: [] });
      }
      if (errors.length > 0) return { errors };
      const user: IdpUser = {
        id: randomUUID(),
        email: input.email.trim(),
        firstName: input.firstName.trim(),
        lastName: input.lastName.trim(),
        roles: [],
        passwordHash: await hashPassword(input.password),
        createdAt: Date.now(),
      };
      byId.set(user.id, user);
      save();
      return { user, errors: [] };
    },
    updateProfile(id, input) {
      const user = byId.get(id);
      if (!user) return { errors: [{ field: 'id', errorMessage: 'error-user-not-found', params: [] }] };
      const errors = validateProfile(input);
      const other = findByEmail(input.email);
      if (!errors.some((e) => e.field === 'email') && other && other.id !== id) {
        errors.push({ field: 'email', errorMessage: 'emailExistsMessage', params: [] });
      }
      if (errors.length > 0) return { errors };
      Object.assign(user, { email: input.email.trim(), firstName: input.firstName.trim(), lastName: input.lastName.trim() });
      save();
      return { user, errors: [] };
    },
    extras: data.extras,
    saveExtras(extras) {
      Object.assign(data.extras!, extras);
      save();
    },
  };
}
