// A client for the store's license API, for vendors' software. Needs only Node.js 18+ (or any runtime
// with fetch); copy this file, it has no dependencies. The API is described at
// https://<shop>/api/licenses/openapi.json.
//
//   node license-client.mjs https://shop.example.com validate   'LICENSE-KEY' [instance-id]
//   node license-client.mjs https://shop.example.com activate   'LICENSE-KEY' 'my-laptop'
//   node license-client.mjs https://shop.example.com deactivate 'LICENSE-KEY' inst_…
//
// The key is the only credential: send it over HTTPS only, and never log it.

/** A refusal from the API: `code` is stable (license_not_found, activation_limit_reached, rate_limited, …). */
export class LicenseApiError extends Error {
  constructor(status, code, message, details, retryAfter) {
    super(message);
    this.name = 'LicenseApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    /** seconds to wait, for rate_limited */
    this.retryAfter = retryAfter;
  }
}

/** The three calls, each answering `{ valid, status, license: { sku, name, activation_limit, activation_usage }, instance }`. */
export function createLicenseClient(storeUrl, { fetch: fetchImpl = globalThis.fetch, timeoutMs = 10_000 } = {}) {
  const base = String(storeUrl).replace(/\/+$/, '');
  async function call(action, body) {
    const res = await fetchImpl(`${base}/api/licenses/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const data = await res.json().catch(() => null);
    if (res.ok && data) return data;
    const error = data?.error ?? { code: 'unexpected_response', message: `The store answered ${res.status}.` };
    throw new LicenseApiError(res.status, error.code, error.message, error.details, Number(res.headers.get('retry-after')) || undefined);
  }
  return {
    /** Whether the key is valid; with an instance id, also that this instance is still active on it. */
    validate: (licenseKey, instanceId) =>
      call('validate', instanceId ? { license_key: licenseKey, instance_id: instanceId } : { license_key: licenseKey }),
    /** Registers this machine or site; keep `instance.id`. The same name again answers the same instance. */
    activate: (licenseKey, instanceName) => call('activate', { license_key: licenseKey, instance_name: instanceName }),
    /** Frees this instance's slot (an `instance_not_found` refusal means it is already free). */
    deactivate: (licenseKey, instanceId) => call('deactivate', { license_key: licenseKey, instance_id: instanceId }),
  };
}

/**
 * What a program does at start: activate once (remembering the instance id), then validate with it.
 * `saved` is what `save` stored last time (null on first run). Returns true if the program may run.
 * A network failure is the caller's choice: here it allows running when an activation was saved.
 */
export async function checkLicense(client, licenseKey, instanceName, saved, save) {
  try {
    if (!saved?.instanceId) {
      const answer = await client.activate(licenseKey, instanceName);
      await save({ instanceId: answer.instance.id });
      return answer.valid;
    }
    return (await client.validate(licenseKey, saved.instanceId)).valid;
  } catch (err) {
    if (err instanceof LicenseApiError) {
      // Deactivated from the order page or by the shop: activate again (a free slot permitting).
      if (err.code === 'instance_not_found') return checkLicense(client, licenseKey, instanceName, null, save);
      if (err.code === 'rate_limited' || err.status >= 500) return Boolean(saved?.instanceId);
      return false;
    }
    return Boolean(saved?.instanceId);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const [storeUrl, action, key, arg] = process.argv.slice(2);
  const client = createLicenseClient(storeUrl);
  if (!client[action] || !key) {
    console.error('usage: node license-client.mjs <store-url> validate|activate|deactivate <license-key> [instance-id|instance-name]');
    process.exit(2);
  }
  try {
    console.log(JSON.stringify(await client[action](key, arg), null, 2));
  } catch (err) {
    console.error(err instanceof LicenseApiError ? `${err.status} ${err.code}: ${err.message}` : String(err));
    process.exit(1);
  }
}
