import type { Env } from './config.schema.js';
import { donationProblems } from './config.sections.js';

/**
 * What the store cannot run without, in any environment: the compiled store has no development
 * values (`npm start` supplies them from dev/ and starts the services they point at).
 */
const REQUIRED: [keyof Env, string][] = [
  ['SESSION_SECRET', 'at least 32 random characters: openssl rand -base64 32'],
  ['ENCRYPTION_KEY', '32 bytes, base64 encoded: openssl rand -base64 32'],
  ['LICENSE_SIGNING_KEY', 'an Ed25519 PKCS#8 PEM or a base64 32-byte seed: openssl rand -base64 32'],
  ['SMTP_URL', 'your mail server, e.g. smtps://user:password@smtp.example.com:465'],
  ['OIDC_ISSUER', 'your OpenID Connect server, e.g. https://id.example.com/realms/shop'],
  ['OIDC_CLIENT_ID', 'the store’s client at that server'],
  ['OIDC_CLIENT_SECRET', 'the secret of that client'],
  ['STRIPE_SECRET_KEY', 'Stripe dashboard > Developers > API keys'],
  ['STRIPE_WEBHOOK_SECRET', 'the signing secret of the webhook endpoint <PUBLIC_URL>/api/payment-callback'],
];

const S3_REQUIRED = ['S3_BUCKET', 'S3_REGION', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const;

/**
 * Every problem beyond one variable's format: missing values, settings that depend on each other and
 * production's rules. Each starts with the variable's name and a colon; `env` holds defaults in place
 * of the `malformed` variables, whose format problem is reported already.
 */
export function crossFieldProblems(env: Env, malformed: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const [name, hint] of REQUIRED) if (!env[name]) problems.push(`${name}: required (${hint})`);
  // The amounts are checked against the currency: not against a default standing in for a bad one.
  if (![...malformed].some((name) => name.startsWith('DONATION_'))) problems.push(...donationProblems(env));
  if (env.STORAGE_DRIVER === 's3')
    for (const name of S3_REQUIRED) if (!env[name]) problems.push(`${name}: required when STORAGE_DRIVER=s3`);
  if (env.NODE_ENV === 'production') problems.push(...productionProblems(env));
  return problems;
}

function productionProblems(env: Env): string[] {
  const problems: string[] = [];
  for (const name of ['PUBLIC_URL', 'MAIL_FROM', 'SHOP_EMAIL'] as const) if (!env[name]) problems.push(`${name}: required in production`);
  if (env.DEMO) problems.push('DEMO: the demo catalog cannot be loaded in production');
  if (env.OIDC_ISSUER && !env.OIDC_ISSUER.startsWith('https://')) problems.push('OIDC_ISSUER: must be an https:// URL in production');
  if (env.STRIPE_API_URL && !env.STRIPE_API_URL.startsWith('https://'))
    problems.push('STRIPE_API_URL: must be an https:// URL in production');
  return problems;
}
