import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { readBody, sendJson } from './idp.http.js';
import type { FieldError, UserStore } from './idp.users.js';

/**
 * The account API in the shape of Keycloak's Account REST API: `GET {issuer}/account` returns the
 * profile, `POST {issuer}/account` updates firstName, lastName and email (204, or 400 with field errors:
 * one error as `{field, errorMessage, params}`, several as `{errors: [...]}`, as Keycloak answers).
 * It accepts the access tokens this IdP issues for the store's audience.
 */
export function createAccountApi({
  issuer,
  audience,
  users,
  jwks,
}: {
  issuer: string;
  audience: string;
  users: UserStore;
  jwks: JSONWebKeySet;
}) {
  const keys = createLocalJWKSet(jwks);
  const challenge = { 'www-authenticate': 'Bearer realm="account", error="invalid_token"' };

  async function authenticate(req: IncomingMessage) {
    const header = req.headers.authorization ?? '';
    const token = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header)?.[1];
    if (!token) return undefined;
    try {
      const { payload } = await jwtVerify(token, keys, { issuer, audience, algorithms: ['RS256'], typ: 'at+jwt' });
      return typeof payload.sub === 'string' ? users.findById(payload.sub) : undefined;
    } catch {
      return undefined;
    }
  }

  const errorBody = (errors: FieldError[]) => (errors.length === 1 ? errors[0] : { errors });

  return async function accountApi(req: IncomingMessage, res: ServerResponse) {
    const user = await authenticate(req);
    if (!user) return sendJson(res, 401, { error: 'invalid_token', error_description: 'A valid access token is required.' }, challenge);
    if (req.method === 'GET') {
      const { id, email, firstName, lastName } = user;
      return sendJson(res, 200, { id, username: email, email, firstName, lastName, emailVerified: true, attributes: {} });
    }
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'method_not_allowed' }, { allow: 'GET, POST' });
    if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
      return sendJson(res, 415, { errorMessage: 'unsupported-media-type' });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    } catch {
      return sendJson(res, 400, { errorMessage: 'invalid-json' });
    }
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    const { errors } = users.updateProfile(user.id, {
      email: text(body.email),
      firstName: text(body.firstName),
      lastName: text(body.lastName),
    });
    if (errors.length > 0) return sendJson(res, 400, errorBody(errors));
    return sendJson(res, 204);
  };
}
