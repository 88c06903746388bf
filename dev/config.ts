/**
 * The development values `npm start` (and the npm scripts of the development tools) run the store with.
 * They live here, never in src/: the compiled store has no secret or service address of its own.
 * Every value only fills a variable the developer left unset (in `.env` or the environment).
 */
const DEV_SECRETS = {
  SESSION_SECRET: 'dev-only-secret-not-for-production-0123456789',
  ENCRYPTION_KEY: Buffer.from('dev-only-encryption-key-32-bytes').toString('base64'),
  LICENSE_SIGNING_KEY: Buffer.from('dev-only-license-signing-seed-32').toString('base64'),
};
const DEV_OIDC = { clientId: 'store', clientSecret: 'dev-only-client-secret-not-for-production', audience: 'store-api' };
const DEV_STRIPE = { secretKey: 'sk_test_dev_gateway_not_for_production', webhookSecret: 'whsec_dev_gateway_not_for_production' };
const DEV_PORTS = { DEV_SMTP_PORT: 2525, DEV_IDP_PORT: 3001, DEV_GATEWAY_PORT: 3002 };

/** The bundled services to start and the settings each needs (null: the developer configured a real one). */
export interface DevServicesPlan {
  smtp: { port: number } | null;
  idp: { port: number; issuer: string; storeUrl: string; clientId: string; clientSecret: string; audience: string } | null;
  gateway: { port: number; publicUrl: string; webhookUrl: string; apiKey: string; webhookSecret: string } | null;
}

export interface DevelopmentEnvironment {
  /** The variables filled in (only those left unset). */
  defaults: Record<string, string>;
  services: DevServicesPlan;
  /** Bad DEV_* ports, in the store's `NAME: problem` form. */
  problems: string[];
}

type Raw = Record<string, string | undefined>;

function ports(raw: Raw) {
  const problems: string[] = [];
  const read = (name: keyof typeof DEV_PORTS) => {
    const value = raw[name];
    if (!value) return DEV_PORTS[name];
    if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) problems.push(`${name}: must be a port number (0 to 65535)`);
    return Number(value);
  };
  return { smtp: read('DEV_SMTP_PORT'), idp: read('DEV_IDP_PORT'), gateway: read('DEV_GATEWAY_PORT'), problems };
}

/**
 * The development values for a raw environment, and the bundled services they point at: an identity
 * provider unless OIDC_ISSUER is set, a payment gateway unless STRIPE_SECRET_KEY or STRIPE_API_URL is,
 * a mail sink unless SMTP_URL is. The services are reached on the store's public host name.
 */
export function developmentEnvironment(raw: Raw): DevelopmentEnvironment {
  const set = (name: string) => Boolean(raw[name]);
  const port = ports(raw);
  const publicUrl = (raw.PUBLIC_URL || `http://localhost:${raw.PORT || 3000}`).replace(/\/+$/, '');
  const host = URL.canParse(publicUrl) ? new URL(publicUrl).hostname : 'localhost';
  const defaults: Record<string, string> = { PUBLIC_URL: publicUrl, DEMO: 'true', ...DEV_SECRETS };
  const services: DevServicesPlan = { smtp: null, idp: null, gateway: null };

  if (!set('SMTP_URL')) {
    services.smtp = { port: port.smtp };
    defaults.SMTP_URL = `smtp://127.0.0.1:${port.smtp}`;
  }
  if (!set('OIDC_ISSUER')) {
    const idp = {
      port: port.idp,
      issuer: `http://${host}:${port.idp}`,
      storeUrl: publicUrl,
      clientId: raw.OIDC_CLIENT_ID || DEV_OIDC.clientId,
      clientSecret: raw.OIDC_CLIENT_SECRET || DEV_OIDC.clientSecret,
      audience: raw.OIDC_AUDIENCE || DEV_OIDC.audience,
    };
    services.idp = idp;
    Object.assign(defaults, {
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      OIDC_AUDIENCE: idp.audience,
    });
  }
  if (!set('STRIPE_SECRET_KEY') && !set('STRIPE_API_URL')) {
    const gatewayUrl = `http://${host}:${port.gateway}`;
    const gateway = {
      port: port.gateway,
      publicUrl: gatewayUrl,
      webhookUrl: `${publicUrl}/api/payment-callback`,
      apiKey: DEV_STRIPE.secretKey,
      webhookSecret: raw.STRIPE_WEBHOOK_SECRET || DEV_STRIPE.webhookSecret,
    };
    services.gateway = gateway;
    Object.assign(defaults, {
      STRIPE_API_URL: gatewayUrl,
      STRIPE_SECRET_KEY: gateway.apiKey,
      STRIPE_WEBHOOK_SECRET: gateway.webhookSecret,
    });
  }
  const filled = Object.fromEntries(Object.entries(defaults).filter(([name]) => !set(name)));
  return { defaults: filled, services, problems: port.problems };
}
