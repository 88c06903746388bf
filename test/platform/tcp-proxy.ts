import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/** A TCP proxy in front of a real server (PostgreSQL, Redis) that a test can cut and restore. */
export interface TcpProxy {
  port: number;
  /** Connections passed through so far. */
  readonly accepted: number;
  /**
   * Drops every open connection and, until restore(), every new one at once: the server looks
   * down or restarting, without touching the server other tests share.
   */
  cut(): void;
  /** Drops every open connection and holds new ones open without forwarding (a server that stopped answering). */
  hang(): void;
  restore(): void;
  close(): Promise<void>;
}

/** Listens on a free port of 127.0.0.1 and forwards each connection to target. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let down: false | 'cut' | 'hang' = false;
  let accepted = 0;
  const server = createServer((client) => {
    if (down === 'cut') {
      client.destroy();
      return;
    }
    if (down === 'hang') {
      open.add(client.on('error', () => undefined).on('close', () => open.delete(client)));
      return;
    }
    accepted++;
    const upstream = connect(target.port, target.host);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        open.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get accepted() {
      return accepted;
    },
    cut() {
      down = 'cut';
      for (const s of open) s.destroy();
    },
    hang() {
      down = 'hang';
      for (const s of open) s.destroy();
    },
    restore() {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
