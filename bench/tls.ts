import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface Certificate {
  certPath: string;
  cert: Buffer;
  key: Buffer;
}

/**
 * A throwaway self-signed certificate for 127.0.0.1 (one day, P-256), made with the openssl CLI in
 * `dir`. The store under test trusts it through NODE_EXTRA_CA_CERTS, nothing else does.
 */
export function makeCertificate(dir: string): Certificate {
  const certPath = join(dir, 'bench-cert.pem');
  const keyPath = join(dir, 'bench-key.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        keyPath,
        '-out',
        certPath,
      ],
      { stdio: 'pipe' },
    );
  } catch (err) {
    throw new Error(`The benchmark needs the openssl command to make a throwaway TLS certificate: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return { certPath, cert: readFileSync(certPath), key: readFileSync(keyPath) };
}

export interface TlsProxy {
  port: number;
  url: string;
  /** Where requests go (plain HTTP on 127.0.0.1); set once the backend has its port. */
  setTarget(port: number): void;
  close(): Promise<void>;
}

/**
 * HTTPS on 127.0.0.1 in front of a plain-HTTP development service, so the store in production mode
 * reaches its identity provider and payment gateway over https as it must. Listens first (the
 * issuer URL needs the port before the provider starts), forwards once a target is set.
 */
export async function startTlsProxy(certificate: Certificate): Promise<TlsProxy> {
  let target = 0;
  const server: Server = createServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
    if (!target) {
      res.writeHead(503).end('not ready');
      return;
    }
    const upstream = httpRequest(
      { host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-proto': 'https' } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `https://127.0.0.1:${port}`,
    setTarget: (p) => void (target = p),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
