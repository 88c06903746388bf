import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { publicDir } from '../platform/assets.js';
import type { ProductType } from '../platform/db/schema.js';
import { ConflictError } from '../platform/errors.js';
import type { ProductInput } from './catalog.validation.js';
import type { SeedServices } from './catalog.seed.js';

const CATEGORIES: [string, string][] = [
  ['graphics', 'Graphics & design'],
  ['audio-video', 'Audio & video'],
  ['developer-tools', 'Developer tools'],
  ['productivity', 'Productivity'],
  ['security', 'Security & privacy'],
  ['games', 'Games'],
  ['education', 'Education'],
  ['photography', 'Photography'],
  ['utilities', 'Utilities'],
  ['fonts', 'Fonts'],
  ['templates', 'Templates'],
  ['plugins', 'Plugins'],
];
const ADJECTIVES =
  'swift bright silent clever solid quantum nimble vivid crisp lucid bold rapid smart pure agile cosmic polar amber azure crimson golden iron velvet arctic lunar solar neon retro modern classic minimal hyper ultra micro mega prime true open deep'.split(
    ' ',
  );
const NOUNS =
  'canvas pixel vector studio forge sketch palette mixer tracker synth beat wave render shader compiler debugger terminal editor notebook planner ledger vault cipher shield guard tunnel backup archive scanner cleaner optimizer launcher converter recorder player reader writer browser monitor dashboard toolkit engine kernel framework library bundle pack suite atlas quest puzzle arena saga legend font typeface glyph template theme layout widget plugin extension filter preset brush lens camera photo album'.split(
    ' ',
  );
const SUFFIXES = [
  'Pro',
  'Lite',
  'Studio',
  'Plus',
  'Max',
  'Edition',
  'Toolkit',
  'Suite',
  'Deluxe',
  'Essentials',
  '2',
  '3',
  'X',
  'One',
  'Go',
];
const VERBS =
  'edit export import render sync encrypt record mix compose design debug deploy automate organise track protect restore convert compress stream share preview annotate schedule';
const TOPICS =
  'layers timelines presets shortcuts plugins workflows templates projects exports formats colour profiles waveforms tracks scenes assets snippets repositories passwords backups archives photos albums glyphs ligatures levels maps characters';

/** Mulberry32: a small seeded generator, so the same seed gives the same catalog. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  return { next, int, pick };
}

const title = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

function demoImages(): string[] {
  try {
    const files = readdirSync(join(publicDir, 'demo')).filter((f) => f.endsWith('.svg'));
    if (files.length > 0) return files.map((f) => `/assets/demo/${f}`);
  } catch {
    // No demo images yet: fall back to the site icon.
  }
  return ['/assets/favicon.svg'];
}

const verbs = VERBS.split(' ');
const topics = TOPICS.split(' ');

/** A Markdown description of a few paragraphs and a list, from the small vocabularies. */
function makeDescription(r: ReturnType<typeof random>): string {
  const sentence = () =>
    `${title(r.pick(verbs))} ${r.pick(topics)} and ${r.pick(topics)} with a ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)}, then ${r.pick(verbs)} your ${r.pick(topics)}.`;
  return [
    `**Helps you ${r.pick(verbs)} ${r.pick(topics)} faster.** ${sentence()} ${sentence()}`,
    `- ${sentence()}\n- ${sentence()}\n- ${sentence()}`,
    `${sentence()} ${sentence()}`,
  ].join('\n\n');
}

// Products share descriptions from a pool (as real catalogs share boilerplate): rendering each
// distinct Markdown once keeps 100k products to seconds.
const DESCRIPTION_POOL = 400;

/** One realistic-looking product; words come from small vocabularies so searches have hits. */
function makeProduct(
  r: ReturnType<typeof random>,
  n: number,
  createdAt: number,
  images: string[],
  descriptions: string[],
): ProductInput & { poolSize: number } {
  const adjective = r.pick(ADJECTIVES);
  const noun = r.pick(NOUNS);
  const name = `${title(adjective)} ${title(noun)} ${r.pick(SUFFIXES)}`;
  const description = r.pick(descriptions);
  const roll = r.next();
  const type: ProductType = roll < 0.15 ? 'key_lim' : roll < 0.4 ? 'file' : 'key';
  const statusRoll = r.next();
  const categories = [r.pick(CATEGORIES)[0]];
  if (r.next() < 0.3) categories.push(r.pick(CATEGORIES)[0]);
  return {
    sku: `BENCH-${String(n).padStart(7, '0')}`,
    name,
    summary: `A ${adjective} ${noun} for people who ${r.pick(verbs)} ${r.pick(topics)}.`,
    description,
    price: r.pick([0, 299, 499, 999, 1499, 1999, 2900, 4900, 9900, 19900]),
    currency: r.next() < 0.8 ? 'EUR' : r.pick(['USD', 'GBP', 'JPY']),
    type,
    status: statusRoll < 0.95 ? 'active' : statusRoll < 0.98 ? 'draft' : 'archived',
    featured: r.next() < 0.02,
    specs: [
      ['Platform', r.pick(['Windows', 'macOS', 'Linux', 'Windows, macOS', 'Windows, macOS, Linux', 'Web'])],
      ['Version', `${1 + r.int(9)}.${r.int(10)}`],
    ],
    categories: [...new Set(categories)],
    images: Array.from({ length: 1 + r.int(3) }, (_, i) => ({
      url: images[(n + i) % images.length]!,
      alt: `${name}, screenshot ${i + 1}`,
    })),
    ...(type === 'file' ? { downloadLimit: 5, accessDays: 30 } : {}),
    createdAt,
    // A quarter of key_lim products get a pool (some of them nearly empty); the rest show "Sold out".
    poolSize: type === 'key_lim' && r.next() < 0.25 ? 1 + r.int(30) : 0,
  };
}

export interface GenerateOptions {
  count: number;
  seed?: number;
  /** Products per multi-row batch (memory bound; SQL chunking is the repo's). */
  batch?: number;
  clock?: () => number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * A large random catalog for benchmarks, in one transaction: categories (created when missing),
 * products spread over them with images and specs, and key pools for some key_lim products.
 * Created oldest first over the past two years, so ids follow creation as in real data.
 */
export async function generateLargeCatalog({ catalog, keyPool }: SeedServices, options: GenerateOptions) {
  const { count, seed = 1, batch = 5000, clock = Date.now, onProgress } = options;
  const r = random(seed);
  const images = demoImages();
  const descriptions = Array.from({ length: DESCRIPTION_POOL }, () => makeDescription(r));
  const now = clock();
  const span = 730 * 86_400_000;
  const result = await catalog.withTransaction(async (tx) => {
    for (const [slug, name] of CATEGORIES) {
      await catalog.createCategory({ slug, name, description: `Generated ${name.toLowerCase()} products.` }, tx).catch((err) => {
        if (!(err instanceof ConflictError)) throw err;
      });
    }
    const start = (await catalog.countProducts(tx)) + 1;
    let keys = 0;
    for (let done = 0; done < count; done += batch) {
      const size = Math.min(batch, count - done);
      const products = Array.from({ length: size }, (_, i) =>
        makeProduct(r, start + done + i, now - span + Math.floor(((done + i) / count) * span), images, descriptions),
      );
      const ids = await catalog.createProductsBulk(
        products.map(({ poolSize: _p, ...p }) => p),
        tx,
      );
      for (const p of products) {
        if (p.poolSize === 0) continue;
        const id = ids.get(p.sku)!;
        const pool = Array.from(
          { length: p.poolSize },
          (_, i) =>
            `${p.sku}-${seed}-${i}-${Math.floor(r.next() * 1e9)
              .toString(36)
              .toUpperCase()}`,
        );
        keys += (await keyPool.importKeys(id, pool, tx)).added;
      }
      onProgress?.(done + size, count);
    }
    return { products: count, keys };
  });
  await catalog.refreshStatistics();
  return result;
}
