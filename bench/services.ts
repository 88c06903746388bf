/**
 * The development identity provider, payment gateway and SMTP sink for a benchmark, in a process
 * of their own with NODE_ENV=development (they refuse production, and the store under test runs in
 * production). The IdP and the gateway API are reached over https through TLS proxies with the
 * bench's throwaway certificate. Started by bench/run.ts; prints one JSON line with the addresses,
 * then runs until its stdin closes or it gets SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { startDevGateway } from '../dev/gateway/gateway.js';
import { startDevIdp } from '../dev/idp/idp.js';
import { startSmtpSink } from '../dev/smtp-sink.js';
import { freePort } from './proc.js';
import { startTlsProxy } from './tls.js';

export interface ServicesInput {
  certPath: string;
  keyPath: string;
  storeUrl: string;
  clientId: string;
  clientSecret: string;
  audience: string;
  apiKey: string;
  webhookSecret: string;
}

export interface ServicesInfo {
  issuer: string;
  /** Stripe-compatible API over https (what the store uses) */
  gatewayApiUrl: string;
  /** the gateway's plain address, for its /__dev test endpoints (what a buyer's "Pay" press does) */
  gatewayDevUrl: string;
  smtpUrl: string;
}

async function main() {
  const input = JSON.parse(process.argv[2]!) as ServicesInput;
  const certificate = { certPath: input.certPath, cert: readFileSync(input.certPath), key: readFileSync(input.keyPath) };
  const idpProxy = await startTlsProxy(certificate);
  const gatewayProxy = await startTlsProxy(certificate);
  // Tokens live an hour: the benchmark measures the store, not a refresh storm at the provider.
  const idpPort = await freePort();
  const idp = await startDevIdp({
    port: idpPort,
    issuer: idpProxy.url,
    storeUrl: input.storeUrl,
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    audience: input.audience,
    accessTokenTtl: 3600,
  });
  // oidc-provider builds endpoint URLs from the request: trust the proxy's X-Forwarded-Proto: https.
  idp.provider.proxy = true;
  idpProxy.setTarget(idpPort);
  const gateway = await startDevGateway({
    port: 0,
    publicUrl: gatewayProxy.url,
    webhookUrl: `${input.storeUrl}/api/payment-callback`,
    webhookSecret: input.webhookSecret,
    apiKey: input.apiKey,
    log: (line) => process.stderr.write(`[gateway] ${line}\n`),
  });
  gatewayProxy.setTarget(gateway.port);
  const smtp = await startSmtpSink();
  const info: ServicesInfo = { issuer: idp.issuer, gatewayApiUrl: gatewayProxy.url, gatewayDevUrl: gateway.url, smtpUrl: smtp.url };
  process.stdout.write(`${JSON.stringify(info)}\n`);

  let closing = false;
  // allSettled never rejects, so nothing is left unhandled.
  const close = () => {
    if (closing) return;
    closing = true;
    void Promise.allSettled([idp.close(), gateway.close(), smtp.close(), idpProxy.close(), gatewayProxy.close()]).then(() =>
      process.exit(0),
    );
  };
  process.on('SIGTERM', close);
  process.stdin.on('end', close);
  process.stdin.resume();
}

await main();
