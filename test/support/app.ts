import type { Dialect } from '../../src/platform/db/db.js';
import { buildApp, type AppDeps } from '../../src/app.js';
import { createCaches } from '../../src/caches.js';
import { testConfig } from './env.js';
import type { LogStream } from '../../src/platform/logging.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { shareCachesWithFixtures } from './factories.js';

export interface TestApp {
  app: Awaited<ReturnType<typeof buildApp>>;
  db: TestDatabase;
  close(): Promise<void>;
}

/** What every /api route answers on an error (src/platform/error-handler.ts), for `res.json<ApiErrorBody>()`. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** The whole store on a fresh database, for requests through app.inject. */
export async function createTestApp(
  dialect: Dialect,
  env: Record<string, string> = {},
  clock?: () => number,
  logStream?: LogStream,
  options: Pick<AppDeps, 'sessionCacheMs' | 'checkoutDomains'> = {},
): Promise<TestApp> {
  const db = await createTestDatabase(dialect);
  const config = testConfig(env);
  const caches = createCaches({ clock });
  // Fixtures made on this database write through these caches too, so the app sees their writes at once.
  shareCachesWithFixtures(db, caches);
  const app = await buildApp({ config, db, clock, logStream, caches, ...options });
  await app.ready();
  return {
    app,
    db,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}
