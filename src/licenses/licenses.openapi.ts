import { licenseErrorCodes, type LicenseErrorCode } from './licenses.errors.js';

const str = (description: string, extra: Record<string, unknown> = {}) => ({ type: 'string', description, ...extra });
const key = str('The license key exactly as the buyer received it (surrounding spaces are ignored).', { minLength: 1, maxLength: 1024 });
const instanceId = str('An instance id returned by activate (`inst_` and 24 hex digits).', {
  maxLength: 100,
  examples: ['inst_3f9a0c6e1b2d4a5f6e7d8c9b'],
});
const instanceName = str(
  'What the instance is: a machine name, a site URL. Activating a name already active on the key answers that instance again.',
  { minLength: 1, maxLength: 200 },
);

/** A request body accepted as JSON and as an HTML form (both carry the same fields). */
function body(properties: Record<string, unknown>, required: string[]) {
  const schema = { type: 'object', properties, required, additionalProperties: false };
  return { required: true, content: { 'application/json': { schema }, 'application/x-www-form-urlencoded': { schema } } };
}

const json = (description: string, schema: Record<string, unknown>) => ({ description, content: { 'application/json': { schema } } });

/** Error responses of an operation, grouped by status, each listing its stable codes. */
function errors(codes: LicenseErrorCode[]) {
  const byStatus = Map.groupBy(codes, (c) => licenseErrorCodes[c].status);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      String(status),
      {
        description: list.map((c) => `\`${c}\`: ${licenseErrorCodes[c].when}`).join('\n\n'),
        content: {
          'application/json': {
            schema: { $ref: '#/components/schemas/Error' },
            examples: Object.fromEntries(list.map((c) => [c, { value: { error: { code: c, message: '…' } } }])),
          },
        },
      },
    ]),
  );
}

const common: LicenseErrorCode[] = ['invalid_input', 'license_not_found', 'rate_limited'];

/**
 * OpenAPI 3.1 description of the license API, served at GET /api/licenses/openapi.json. Static on
 * purpose: it is the contract vendors build against, reviewed like code.
 */
export function licenseApiDocument(publicUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'License API',
      version: '1.0.0',
      description:
        'For vendors’ software: validate, activate and deactivate the license keys the store issued (pool keys and signed `LK1.` keys). ' +
        'No login: the key is the credential, so send it only over HTTPS and never log it. Requests are limited per client address and per key ' +
        '(60 a minute each by default); a refunded key answers `revoked`. Keys of `key` products can also be verified offline with the store’s ' +
        'public key at /.well-known/license-key.pub.',
    },
    servers: [{ url: publicUrl }],
    paths: {
      '/api/licenses/validate': {
        post: {
          operationId: 'validateLicense',
          summary: 'Whether a key is valid, its status and usage, and (if named) one of its instances',
          requestBody: body({ license_key: key, instance_id: instanceId }, ['license_key']),
          responses: {
            '200': json('The key is one the store issued.', { $ref: '#/components/schemas/License' }),
            ...errors([...common, 'instance_not_found']),
          },
        },
      },
      '/api/licenses/activate': {
        post: {
          operationId: 'activateLicense',
          summary: 'Register an instance (a machine, a site) on a key',
          requestBody: body({ license_key: key, instance_name: instanceName }, ['license_key', 'instance_name']),
          responses: {
            '201': json('A new instance was registered; keep `instance.id`.', { $ref: '#/components/schemas/Activation' }),
            '200': json('An instance of this name was already active on the key: the same instance, no slot used.', {
              $ref: '#/components/schemas/Activation',
            }),
            ...errors([...common, 'activation_limit_reached', 'license_revoked']),
          },
        },
      },
      '/api/licenses/deactivate': {
        post: {
          operationId: 'deactivateLicense',
          summary: 'Free the slot of an instance',
          description: 'A repeated deactivation answers `instance_not_found`: treat it as done.',
          requestBody: body({ license_key: key, instance_id: { ...instanceId, minLength: 1 } }, ['license_key', 'instance_id']),
          responses: {
            '200': json('The instance is deactivated; the license as it is now.', { $ref: '#/components/schemas/Deactivation' }),
            ...errors([...common, 'instance_not_found']),
          },
        },
      },
    },
    components: {
      schemas: {
        License: {
          type: 'object',
          required: ['valid', 'status', 'license', 'instance'],
          properties: {
            valid: { type: 'boolean', description: 'true when status is `active` or `inactive`' },
            status: {
              type: 'string',
              enum: ['inactive', 'active', 'revoked', 'expired'],
              description:
                '`inactive`: valid, no instance; `active`: valid, at least one instance; `revoked`: refunded; `expired`: reserved for keys with an end date (none yet).',
            },
            license: {
              type: 'object',
              required: ['sku', 'name', 'activation_limit', 'activation_usage'],
              properties: {
                sku: { type: 'string' },
                name: { type: 'string', description: 'the product name as bought' },
                activation_limit: { type: ['integer', 'null'], description: 'null: unlimited' },
                activation_usage: { type: 'integer', description: 'active instances' },
              },
            },
            instance: {
              oneOf: [
                { type: 'null' },
                {
                  type: 'object',
                  required: ['id', 'name', 'created_at'],
                  properties: { id: { type: 'string' }, name: { type: 'string' }, created_at: { type: 'string', format: 'date-time' } },
                },
              ],
            },
          },
        },
        Activation: {
          allOf: [
            { $ref: '#/components/schemas/License' },
            { type: 'object', required: ['activated'], properties: { activated: { const: true } } },
          ],
        },
        Deactivation: {
          allOf: [
            { $ref: '#/components/schemas/License' },
            { type: 'object', required: ['deactivated'], properties: { deactivated: { const: true } } },
          ],
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', enum: Object.keys(licenseErrorCodes) },
                message: { type: 'string' },
                details: { type: 'object' },
              },
            },
          },
        },
      },
    },
  } as const;
}
