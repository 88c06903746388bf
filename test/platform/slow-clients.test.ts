/**
 * Slow clients (slowloris) over real sockets: a connection that has not sent its headers within
 * HEADERS_TIMEOUT_MS, or its whole request within REQUEST_TIMEOUT_MS, is answered 408 and closed
 * within a second or two of the limit (Node checks deadlines only every 30 s unless told otherwise).
 */
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type App } from '../../src/platform/server.js';
import { testConfig } from '../support/env.js';

const HEADERS_MS = 1000;
const REQUEST_MS = 3000;

interface Slow {
  opened: number;
  closedAfter: Promise<number>;
  received: () => string;
  socket: Socket;
}

describe('slow clients on a listening server', () => {
  let app: App;
  let port: number;
  beforeAll(async () => {
    app = await createServer(testConfig({ HEADERS_TIMEOUT_MS: String(HEADERS_MS), REQUEST_TIMEOUT_MS: String(REQUEST_MS) }));
    app.get('/', async () => 'ok');
    app.post('/', async () => 'ok');
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(() => app.close());

  /** A socket that sends `first`, then one more byte of `trickle` every 200 ms. */
  function slowSocket(first: string, trickle = ''): Slow {
    const socket = connect(port, '127.0.0.1');
    const opened = Date.now();
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      if (first) socket.write(first);
      let i = 0;
      if (trickle) timer = setInterval(() => socket.writable && socket.write(trickle[i++ % trickle.length]!), 200);
    });
    socket.on('data', (d) => (received += String(d)));
    socket.on('error', () => undefined);
    const closedAfter = new Promise<number>((resolve) =>
      socket.on('close', () => {
        clearInterval(timer);
        resolve(Date.now() - opened);
      }),
    );
    return { opened, closedAfter, received: () => received, socket };
  }

  /** Resolves with how long the socket stayed open, or Infinity if still open after `ms`. */
  const openFor = (s: Slow, ms: number) =>
    Promise.race([s.closedAfter, new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), ms))]);

  it('closes sockets that never finish their headers within two seconds of HEADERS_TIMEOUT_MS, with a 408', async () => {
    const sockets = [
      ...Array.from({ length: 20 }, () => slowSocket('')),
      ...Array.from({ length: 20 }, () => slowSocket('GET / HTTP/1.1\r\n')),
      ...Array.from({ length: 20 }, () => slowSocket('GET / HTTP/1.1\r\nHost: shop\r\n', 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n')),
    ];
    // A well-behaved client is served meanwhile.
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    const lifetimes = await Promise.all(sockets.map((s) => openFor(s, HEADERS_MS + 4000)));
    for (const ms of lifetimes) {
      expect(ms).toBeGreaterThanOrEqual(HEADERS_MS - 50);
      expect(ms).toBeLessThanOrEqual(HEADERS_MS + 2000);
    }
    for (const s of sockets) expect(s.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
  });

  it('closes a socket that trickles its body within two seconds of REQUEST_TIMEOUT_MS', async () => {
    const sockets = Array.from({ length: 10 }, () =>
      slowSocket('POST / HTTP/1.1\r\nHost: shop\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n', 'a'),
    );
    const lifetimes = await Promise.all(sockets.map((s) => openFor(s, REQUEST_MS + 4000)));
    for (const ms of lifetimes) {
      expect(ms).toBeGreaterThanOrEqual(REQUEST_MS - 50);
      expect(ms).toBeLessThanOrEqual(REQUEST_MS + 2000);
    }
    for (const s of sockets) expect(s.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
  });
});
