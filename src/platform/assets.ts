import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';

/** The project's root directory, whether running from src/ (tsx) or compiled under dist/ (`npm run build`). */
export const projectRoot = resolve(import.meta.dirname, basename(resolve(import.meta.dirname, '../..')) === 'dist' ? '../../..' : '../..');
export const publicDir = join(projectRoot, 'public');

// A content hash per file, computed once at start, so asset URLs can be cached forever.
const versions = new Map<string, string>();
for (const entry of readdirSync(publicDir, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile()) continue;
  const path = join(entry.parentPath, entry.name);
  versions.set(path.slice(publicDir.length + 1), createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 10));
}

/** The cache-busting URL of a file under public/. */
export function assetUrl(file: string): string {
  const version = versions.get(file);
  return version ? `/assets/${file}?v=${version}` : `/assets/${file}`;
}

/** Serves public/ under /assets/ with long-lived immutable caching. */
export const staticAssets = fp(async (app) => {
  await app.register(fastifyStatic, {
    root: publicDir,
    prefix: '/assets/',
    maxAge: '365d',
    immutable: true,
    index: false,
    wildcard: false,
  });
});
