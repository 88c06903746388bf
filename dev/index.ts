import type { Config } from '../src/platform/config.js';
import { startDevGateway } from './gateway/gateway.js';
import { startDevIdp } from './idp/idp.js';
import { startSmtpSink } from './smtp-sink.js';

/** A bundled development service (identity provider, payment gateway, SMTP sink) on its own port. */
export interface DevService {
  name: string;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the bundled development services `npm start` runs beside the store. Each refuses to run
 * in production. Returns them so main.ts can print their addresses and close them on shutdown.
 */
export async function startDevServices(config: Config): Promise<DevService[]> {
  if (config.production) return [];
  const services: DevService[] = [];
  const smtp = await startSmtpSink({
    port: config.devSmtpPort,
    onMessage: (m) => console.log(`  [mail] to ${m.to.join(', ')}: ${m.subject}`),
  });
  services.push({ name: 'Development mail sink (SMTP)', url: smtp.url, close: smtp.close });
  // The store's config points at this provider when no OIDC_ISSUER is set (see config.ts).
  if (config.oidc.devIdp) {
    const idp = await startDevIdp({
      port: config.oidc.devIdp.port,
      issuer: config.oidc.issuer,
      storeUrl: config.publicUrl,
      clientId: config.oidc.clientId,
      clientSecret: config.oidc.clientSecret,
      audience: config.oidc.audience,
      dataFile: 'data/dev-idp.json',
    });
    services.push({ name: idp.name, url: idp.url, close: idp.close });
  }
  // The store's config points its Stripe SDK here when no STRIPE_SECRET_KEY is set (see config.ts).
  if (config.payments.devGateway) {
    const gateway = await startDevGateway({
      port: config.payments.devGateway.port,
      publicUrl: config.payments.devGateway.publicUrl,
      webhookUrl: config.payments.devGateway.webhookUrl,
      webhookSecret: config.payments.webhookSecret,
      apiKey: config.payments.secretKey,
      log: (line) => console.log(`  [payments] ${line}`),
    });
    services.push({ name: gateway.name, url: gateway.publicUrl, close: gateway.close });
  }
  return services;
}
