import pg from 'pg';

/** What a listener is told: each payload, and that some may have been missed (the connection was lost). */
export interface NotificationHandlers {
  message(payload: string): void;
  lost(): void;
}

/** A LISTEN that lasts: `live()` is true only while notifications can arrive. */
export interface Listening {
  live(): boolean;
  close(): Promise<void>;
}

const RECONNECT_MS = 1000;

/**
 * PostgreSQL LISTEN on a connection of its own (the pool's connections come and go). While it is
 * down `live()` is false and `lost()` has been called, so a cache fed by it can stop trusting itself;
 * it reconnects every second until closed.
 */
export function listenPostgres(url: string, searchPath: string | undefined, channel: string, handlers: NotificationHandlers): Listening {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
  let current: pg.Client | null = null;
  let live = false;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const drop = (client: pg.Client) => {
    if (current !== client) return;
    current = null;
    live = false;
    handlers.lost();
    client.end().catch(() => undefined);
    if (!closed) retry = setTimeout(connect, RECONNECT_MS).unref();
  };

  function connect() {
    const client = new pg.Client({
      connectionString: url,
      keepAlive: true,
      connectionTimeoutMillis: 5000,
      ...(searchPath ? { options: `-c search_path=${searchPath}` } : {}),
    });
    current = client;
    client.on('notification', (n) => {
      if (n.channel === channel && n.payload) handlers.message(n.payload);
    });
    client.on('error', () => drop(client));
    client.on('end', () => drop(client));
    client
      .connect()
      .then(() => client.query(`listen ${channel}`))
      .then(() => {
        if (closed) return client.end();
        if (current === client) live = true;
      })
      .catch(() => drop(client));
  }

  connect();
  return {
    live: () => live,
    close: async () => {
      closed = true;
      live = false;
      clearTimeout(retry);
      const client = current;
      current = null;
      await client?.end().catch(() => undefined);
    },
  };
}
