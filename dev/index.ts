import type { DevServicesPlan } from './config.js';
import { startDevGateway, type DevGatewayOptions } from './gateway/gateway.js';
import { startDevIdp } from './idp/idp.js';
import { startSmtpSink } from './smtp-sink.js';

/** A bundled development service (identity provider, payment gateway, SMTP sink) on its own port. */
export interface DevService {
  name: string;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the bundled development services of the plan (dev/config.ts) that `npm start` runs beside
 * the store. Each refuses to run in production. Returns them so dev/main.ts can print their addresses
 * and close them on shutdown.
 */
export async function startDevServices(
  plan: DevServicesPlan,
  gatewayOptions: Pick<DevGatewayOptions, 'taxRates'> = {},
): Promise<DevService[]> {
  const services: DevService[] = [];
  if (plan.smtp) {
    const smtp = await startSmtpSink({
      port: plan.smtp.port,
      onMessage: (m) => console.log(`  [mail] to ${m.to.join(', ')}: ${m.subject}`),
    });
    services.push({ name: 'Development mail sink (SMTP)', url: smtp.url, close: () => smtp.close() });
  }
  if (plan.idp) {
    const idp = await startDevIdp({ ...plan.idp, dataFile: 'data/dev-idp.json' });
    services.push({ name: idp.name, url: idp.url, close: () => idp.close() });
  }
  if (plan.gateway) {
    const gateway = await startDevGateway({ ...plan.gateway, ...gatewayOptions, log: (line) => console.log(`  [payments] ${line}`) });
    services.push({ name: gateway.name, url: gateway.publicUrl, close: () => gateway.close() });
  }
  return services;
}
