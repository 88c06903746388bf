import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { screenshot } from './browser.js';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * The current page at each width: sideways scrolling and serious or critical axe-core violations
 * (target size included), as lines a test can show; a full-page screenshot of each width in
 * test-results/screenshots. axe is injected, so the page's context needs `bypassCSP: true`.
 */
export async function inspectPage(page: Page, name: string, widths: number[] = [1280, 390]): Promise<string[]> {
  const faults: string[] = [];
  const original = page.viewportSize();
  for (const width of widths) {
    await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
    if (await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth))
      faults.push(`${name} at ${width} px scrolls sideways`);
    await page.addScriptTag({ path: axePath });
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
      return (await axe.run({ rules: { 'target-size': { enabled: true } } })).violations;
    });
    for (const v of violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'))
      faults.push(`${name} at ${width} px: ${v.id} (${v.help}) on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    await screenshot(page, `screenshots/${name}-${width}`);
  }
  if (original) await page.setViewportSize(original);
  return faults;
}
