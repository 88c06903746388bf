/**
 * Draws the demo catalog's product images: one small SVG per image URL under /assets/demo/ in
 * demo/catalog.json, written to public/demo/. Deterministic (colours and shapes come from the SKU),
 * so re-running it changes nothing unless the catalog did.
 *
 *   npx tsx scripts/make-demo-art.ts
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

interface DemoProduct {
  sku: string;
  name: string;
  type: 'key_lim' | 'key' | 'file';
  categories?: string[];
  images?: { url: string; alt: string }[];
}

const root = resolve(import.meta.dirname, '..');
const outDir = join(root, 'public/demo');
const W = 800;
const H = 600;

/** Text safe inside an XML element or attribute. */
function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function hashBytes(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** An sRGB hex colour from HSL, so the SVG needs no colour functions. */
function hsl(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    const c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(c * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

/** Splits a name into one line, or two balanced ones; the font shrinks until it fits the card. */
function wrapName(name: string): { lines: string[]; size: number } {
  const words = name.split(/\s+/);
  for (const size of [54, 46, 40, 34]) {
    const perLine = Math.floor(680 / (size * 0.6));
    if (name.length <= perLine) return { lines: [name], size };
    let best: string[] | null = null;
    for (let i = 1; i < words.length; i++) {
      const pair = [words.slice(0, i).join(' '), words.slice(i).join(' ')];
      const longest = Math.max(pair[0]!.length, pair[1]!.length);
      if (longest <= perLine && (!best || longest < Math.max(best[0]!.length, best[1]!.length))) best = pair;
    }
    if (best) return { lines: best, size };
  }
  return { lines: [name.length > 40 ? `${name.slice(0, 39)}…` : name], size: 30 };
}

const WHITE = 'fill="#fff"';
const SOFT = 'fill="#fff" fill-opacity=".85"';

/** A simple emblem for the product's kind, centred on (cx, cy) at scale s. */
function emblem(kind: string, cx: number, cy: number, s: number, bytes: Buffer): string {
  const t = `transform="translate(${cx} ${cy}) scale(${s})"`;
  switch (kind) {
    case 'design-tools':
      return `<g ${t}><circle cx="-35" cy="-20" r="55" ${SOFT}/><path d="M10-70 75 45H-55z" fill="#fff" fill-opacity=".6"/><rect x="-5" y="5" width="70" height="70" rx="8" ${WHITE}/></g>`;
    case 'developer-tools':
      return `<g ${t} fill="none" stroke="#fff" stroke-width="18" stroke-linecap="round" stroke-linejoin="round"><path d="M-45-55-100 0l55 55M45-55 100 0 45 55"/><path d="M18-70-18 70" stroke-opacity=".7"/></g>`;
    case 'games':
      return `<g ${t}><rect x="-110" y="-55" width="220" height="110" rx="55" ${SOFT}/><path d="M-70-12h18v-18h14v18h18v14h-18v18h-14v-18h-18z" fill="#000" fill-opacity=".45"/><circle cx="50" cy="-12" r="12" fill="#000" fill-opacity=".45"/><circle cx="78" cy="14" r="12" fill="#000" fill-opacity=".45"/></g>`;
    case 'fonts':
      return `<g ${t}><text x="0" y="45" text-anchor="middle" font-family="Georgia,serif" font-size="150" font-weight="700" ${WHITE}>Aa</text></g>`;
    case 'audio': {
      const bars = Array.from({ length: 11 }, (_, i) => {
        const h = 30 + (bytes[i + 4]! % 110);
        return `<rect x="${-110 + i * 20}" y="${-h / 2}" width="12" height="${h}" rx="6"/>`;
      }).join('');
      return `<g ${t} ${SOFT}>${bars}</g>`;
    }
    case 'ebooks':
      return `<g ${t}><path d="M0-50C-30-70-70-72-100-62V62C-70 52-30 54 0 74z" ${SOFT}/><path d="M0-50C30-70 70-72 100-62V62C70 52 30 54 0 74z" ${WHITE}/></g>`;
    case 'templates':
      return `<g ${t}><rect x="-100" y="-70" width="200" height="140" rx="10" fill="#fff" fill-opacity=".35"/><rect x="-88" y="-58" width="176" height="26" rx="4" ${WHITE}/><rect x="-88" y="-22" width="80" height="80" rx="4" ${SOFT}/><rect x="2" y="-22" width="86" height="36" rx="4" ${SOFT}/><rect x="2" y="22" width="86" height="36" rx="4" ${SOFT}/></g>`;
    default:
      // Apps and utilities: a gear.
      return `<g ${t}><circle r="62" fill="none" stroke="#fff" stroke-width="34" stroke-dasharray="24 16"/><circle r="50" ${SOFT}/><circle r="20" fill="#000" fill-opacity=".35"/></g>`;
  }
}

const typeLabel = { key_lim: 'LICENSE KEY', key: 'LICENSE KEY', file: 'DOWNLOAD' } as const;

/** One image: 1 = cover card, 2 = app window, 3 = close-up; further images repeat the pattern. */
function drawImage(product: DemoProduct, index: number): string {
  const bytes = hashBytes(product.sku);
  const hue = (bytes[0]! * 256 + bytes[1]!) % 360;
  const from = hsl(hue, 0.55, 0.36);
  const to = hsl((hue + 35 + (bytes[2]! % 40)) % 360, 0.6, 0.24);
  const kind = product.categories?.[0] ?? 'software';
  const { lines, size } = wrapName(product.name);
  const variant = ((index - 1) % 3) + 1;
  const defs = `<defs><linearGradient id="g" x1="0" y1="0" x2="${variant === 3 ? 0 : 1}" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>`;
  const bg = `<rect width="${W}" height="${H}" fill="url(#g)"/>`;
  let body: string;
  if (variant === 1) {
    const y0 = lines.length === 1 ? 470 : 440;
    const text = lines.map((l, i) => `<tspan x="60" y="${y0 + i * size * 1.15}">${escapeXml(l)}</tspan>`).join('');
    body =
      `<circle cx="${640 + (bytes[3]! % 80)}" cy="${90 + (bytes[4]! % 60)}" r="${120 + (bytes[5]! % 60)}" fill="#fff" fill-opacity=".08"/>` +
      emblem(kind, 400, 220, 1.1, bytes) +
      `<text font-family="system-ui,Segoe UI,Roboto,Helvetica,Arial,sans-serif" font-weight="700" font-size="${size}" ${WHITE}>${text}</text>` +
      `<text x="60" y="110" font-family="system-ui,Segoe UI,Roboto,Helvetica,Arial,sans-serif" font-size="22" letter-spacing="3" ${SOFT}>${typeLabel[product.type]}</text>`;
  } else if (variant === 2) {
    const rows = Array.from({ length: 5 }, (_, i) => {
      const w = 150 + (bytes[6 + i]! % 240);
      return `<rect x="300" y="${210 + i * 56}" width="${w}" height="22" rx="11" fill="#000" fill-opacity=".12"/>`;
    }).join('');
    body =
      `<rect x="80" y="70" width="640" height="460" rx="18" fill="#fff" fill-opacity=".94"/>` +
      `<path d="M80 88a18 18 0 0 1 18-18h604a18 18 0 0 1 18 18v34H80z" fill="#000" fill-opacity=".08"/>` +
      `<circle cx="112" cy="96" r="8" fill="#e5534b"/><circle cx="138" cy="96" r="8" fill="#d8a106"/><circle cx="164" cy="96" r="8" fill="#3f9142"/>` +
      `<text x="400" y="104" text-anchor="middle" font-family="system-ui,Segoe UI,Roboto,Helvetica,Arial,sans-serif" font-size="20" fill="#333">${escapeXml(lines.join(' '))}</text>` +
      `<rect x="110" y="150" width="160" height="350" rx="10" fill="${from}"/>` +
      emblem(kind, 190, 260, 0.5, bytes) +
      `<rect x="300" y="150" width="390" height="36" rx="8" fill="${to}" fill-opacity=".85"/>` +
      rows;
  } else {
    const dots = Array.from(
      { length: 6 },
      (_, i) => `<circle cx="${(bytes[10 + i]! * 7) % W}" cy="${(bytes[16 + i]! * 5) % H}" r="${30 + (bytes[22 + i]! % 90)}"/>`,
    ).join('');
    body =
      `<g fill="#fff" fill-opacity=".07">${dots}</g>` +
      emblem(kind, 400, 270, 1.9, bytes) +
      `<text x="400" y="540" text-anchor="middle" font-family="system-ui,Segoe UI,Roboto,Helvetica,Arial,sans-serif" font-weight="600" font-size="28" ${SOFT}>${escapeXml(lines.join(' '))}</text>`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">${defs}${bg}${body}</svg>\n`;
}

function main() {
  const catalog = JSON.parse(readFileSync(join(root, 'demo/catalog.json'), 'utf8')) as { products: DemoProduct[] };
  mkdirSync(outDir, { recursive: true });
  const wanted = new Set<string>();
  for (const product of catalog.products) {
    (product.images ?? []).forEach((image, i) => {
      const match = /^\/assets\/demo\/([a-z0-9._-]+\.svg)$/.exec(image.url);
      if (!match) return;
      const svg = drawImage(product, i + 1);
      if (svg.length > 3072) throw new Error(`${image.url} is ${svg.length} bytes; keep demo art under 3 KB`);
      writeFileSync(join(outDir, match[1]!), svg);
      wanted.add(match[1]!);
    });
  }
  // Images of products removed from the catalog would otherwise linger in public/.
  for (const file of readdirSync(outDir)) if (file.endsWith('.svg') && !wanted.has(file)) rmSync(join(outDir, file));
  console.log(`Wrote ${wanted.size} images to ${outDir}`);
}

main();
