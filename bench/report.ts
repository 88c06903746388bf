import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

export interface PageFigures {
  dialect: string;
  scenario: string;
  /** what was requested, e.g. "GET /:sku, 5000 random SKUs" */
  detail: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  baselineRps: number;
  baselineP99Ms: number;
  bytes: number;
  peakRssBytes: number;
  /** non-2xx answers and errors: a figure with failures is not a figure */
  failures: number;
  /** how long the figure was measured, e.g. "2 × 10 s after 5 s" (of warm-up) */
  measured: string;
  target: { minRatio?: number; maxP99Ms?: number };
}

export interface PurchaseFigures {
  dialect: string;
  buyers: number;
  completed: number;
  perSec: number;
  /** SQL statements the store sent during the load, per completed purchase (its own counter) */
  statementsPerPurchase: number;
  p50Ms: number;
  p99Ms: number;
  soldOut: number;
  failed: number;
  oversold: number;
  undelivered: number;
  peakRssBytes: number;
  /** purchases a second */
  target: number;
  /** most SQL statements per purchase */
  statementsTarget: number;
}

export interface Report {
  machine: string[];
  settings: string[];
  pages: PageFigures[];
  purchases: PurchaseFigures[];
  storePeakRss: Array<{ dialect: string; bytes: number }>;
  rssTargetBytes: number;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
const yes = (ok: boolean) => (ok ? 'met' : '**missed**');

/** The machine the numbers belong to. */
export function describeMachine(extra: string[]): string[] {
  const cpu = cpus();
  return [
    `CPU: ${cpu[0]?.model ?? 'unknown'}, ${cpu.length} logical cores (shared with other work on this machine)`,
    `Memory: ${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `OS: Linux ${release()}; Node.js ${process.version}`,
    ...extra,
    `Date: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
  ];
}

/** The verdict on one page figure against its targets. */
function verdict(p: PageFigures, rssTarget: number): string {
  if (p.failures > 0) return `**${p.failures} failed requests**`;
  const parts: string[] = [];
  const ratio = p.rps / p.baselineRps;
  if (p.target.minRatio !== undefined) parts.push(`≥ ${(p.target.minRatio * 100).toFixed(0)} %: ${yes(ratio >= p.target.minRatio)}`);
  if (p.target.maxP99Ms !== undefined) parts.push(`p99 < ${p.target.maxP99Ms} ms: ${yes(p.p99Ms < p.target.maxP99Ms)}`);
  parts.push(`RSS: ${yes(p.peakRssBytes < rssTarget)}`);
  return parts.join('; ');
}

/** The results as Markdown: machine, settings, page table, purchase table. */
export function renderReport(r: Report): string {
  const lines = ['### Machine', '', ...r.machine.map((m) => `- ${m}`), '', '### Settings', '', ...r.settings.map((s) => `- ${s}`), ''];
  lines.push('### Pages', '');
  lines.push(
    '| database | page | store req/s | baseline req/s | ratio | p50 ms | p99 ms | baseline p99 ms | bytes | peak RSS | measured | targets |',
  );
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |');
  for (const p of r.pages) {
    lines.push(
      `| ${p.dialect} | ${p.scenario} | ${p.rps.toFixed(0)} | ${p.baselineRps.toFixed(0)} | ${((p.rps / p.baselineRps) * 100).toFixed(0)} % | ${ms(p.p50Ms)} | ${ms(p.p99Ms)} | ${ms(p.baselineP99Ms)} | ${p.bytes.toFixed(0)} | ${mb(p.peakRssBytes)} | ${p.measured} | ${verdict(p, r.rssTargetBytes)} |`,
    );
  }
  lines.push('', 'Pages requested:', '');
  for (const p of r.pages.filter((x, i, all) => all.findIndex((y) => y.scenario === x.scenario) === i))
    lines.push(`- ${p.scenario}: ${p.detail}`);
  lines.push('', '### Purchases', '');
  lines.push(
    '| database | buyers at once | completed | completed/s | SQL statements per purchase | p50 ms | p99 ms | sold out (refused) | failed | oversold keys | undelivered units | peak RSS | target |',
  );
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const p of r.purchases) {
    const ok = p.perSec >= p.target && p.oversold === 0 && p.undelivered === 0 && p.failed === 0;
    lines.push(
      `| ${p.dialect} | ${p.buyers} | ${p.completed} | ${p.perSec.toFixed(1)} | ${p.statementsPerPurchase.toFixed(1)} | ${ms(p.p50Ms)} | ${ms(p.p99Ms)} | ${p.soldOut} | ${p.failed} | ${p.oversold} | ${p.undelivered} | ${mb(p.peakRssBytes)} | ≥ ${p.target}/s, none oversold: ${yes(ok)}; ≤ ${p.statementsTarget} statements: ${yes(p.statementsPerPurchase <= p.statementsTarget)} |`,
    );
  }
  lines.push('', '### Memory', '');
  for (const m of r.storePeakRss)
    lines.push(
      `- ${m.dialect}: highest RSS of the store process over the whole run (VmHWM) ${mb(m.bytes)}; target < ${mb(r.rssTargetBytes)}: ${yes(m.bytes < r.rssTargetBytes)}`,
    );
  return `${lines.join('\n')}\n`;
}

const BEGIN = '<!-- bench:results:begin -->';
const END = '<!-- bench:results:end -->';

/** Puts the results between the markers of the performance page, keeping the hand-written text around them. */
export function writeReport(path: string, markdown: string) {
  const block = `${BEGIN}\n<!-- written by \`npm run bench\`; edits here are overwritten -->\n\n${markdown}\n${END}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : `# Performance\n\n## Latest results\n\n${BEGIN}\n${END}\n`;
  const from = current.indexOf(BEGIN);
  const to = current.indexOf(END);
  const next =
    from >= 0 && to > from
      ? current.slice(0, from) + block + current.slice(to + END.length)
      : `${current.trimEnd()}\n\n## Latest results\n\n${block}\n`;
  writeFileSync(path, next);
}
