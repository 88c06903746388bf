import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const dist = join(root, 'dist');

/** Every .js file under a folder. */
function jsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js'))
    .map((f) => join(dir, f));
}

/** The module specifiers a compiled file imports, statically or dynamically. */
function specifiers(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

/** Runs the compiled store as production would start it, in an empty folder (no .env) with only `env`. */
function startCompiled(env: Record<string, string>) {
  const cwd = mkdtempSync(join(tmpdir(), 'store-dist-'));
  return spawnSync(process.execPath, [join(dist, 'src/main.js')], { cwd, env, encoding: 'utf8', timeout: 30_000 });
}

describe('the compiled store (npm run build)', () => {
  beforeAll(() => {
    const build = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8', timeout: 180_000 });
    // Type errors fail `npm run typecheck`; here what matters is what the build emits.
    if (!existsSync(join(dist, 'src/main.js')))
      throw new Error(`npm run build emitted no dist/src/main.js:\n${build.stdout}${build.stderr}`);
  }, 200_000);

  it('has no dev/ folder and nothing under dist/src imports dev/ or the development services’ packages', () => {
    expect(existsSync(join(dist, 'dev'))).toBe(false);
    const files = jsFiles(join(dist, 'src'));
    expect(files.length).toBeGreaterThan(100);
    const offending: string[] = [];
    for (const file of files) {
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        const target = spec.startsWith('.') ? relative(root, resolve(dirname(file), spec)) : spec;
        if (/^(dist\/)?dev\/|^(oidc-provider|smtp-server|mailparser)(\/|$)/.test(target))
          offending.push(`${relative(root, file)} -> ${spec}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('holds no development secret, demo password or bundled service address', () => {
    const found = jsFiles(join(dist, 'src')).flatMap((file) => {
      const source = readFileSync(file, 'utf8');
      return ['dev-only', 'demo1234', 'owner1234', 'sk_test_dev', 'whsec_dev', 'startDevServices', 'DEV_IDP_PORT']
        .filter((s) => source.includes(s))
        .map((s) => `${relative(root, file)}: ${s}`);
    });
    expect(found).toEqual([]);
  });

  it('started without any configuration, refuses to start and lists what is missing', () => {
    const run = startCompiled({});
    expect(run.status).toBe(1);
    for (const name of [
      'SESSION_SECRET',
      'ENCRYPTION_KEY',
      'LICENSE_SIGNING_KEY',
      'SMTP_URL',
      'OIDC_ISSUER',
      'OIDC_CLIENT_ID',
      'OIDC_CLIENT_SECRET',
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
    ])
      expect(run.stderr).toContain(`  - ${name}: required (`);
    expect(run.stderr).toMatch(/^Invalid configuration:\n/);
    expect(run.stderr).toContain('`npm start` runs the development store instead.');
    expect(run.stdout).not.toContain('is running at');
  });

  it('in production lists production’s requirements with the rest, in one start', () => {
    const run = startCompiled({ NODE_ENV: 'production', PORT: 'eighty' });
    expect(run.status).toBe(1);
    for (const problem of [
      'PORT: ',
      'SESSION_SECRET: required (',
      'PUBLIC_URL: required in production',
      'SHOP_EMAIL: required in production',
    ])
      expect(run.stderr).toContain(`  - ${problem}`);
  });
});
