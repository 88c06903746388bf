import { renderToString } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { axisStep, CHART, RevenueChart, type ChartDay } from './admin-reports-chart.view.js';

const days = (values: [number, number][]): ChartDay[] =>
  values.map(([net, donations], i) => ({ date: `2026-12-${String(i + 1).padStart(2, '0')}`, net, donations }));
const render = (d: ChartDay[], currency = 'EUR') =>
  renderToString(<RevenueChart currency={currency} days={d} label="Net sales <per> day" />);
const attr = (el: string, name: string) => Number(new RegExp(`\\b${name}="([^"]+)"`).exec(el)![1]);
const bars = (html: string) => [...html.matchAll(/<rect class="bar[^"]*"[^>]*>/g)].map((m) => m[0]);

describe('RevenueChart', () => {
  it('is an image with an accessible name and a title, scaled by its viewBox (no fixed size)', () => {
    const html = render(days([[1900, 0]]));
    expect(html).toMatch(/^<svg class="revenue-chart" viewBox="0 0 540 270" role="img" aria-label="Net sales &lt;per> day"/);
    expect(html).toContain('<title>Net sales &lt;per> day</title>');
    expect(html).not.toMatch(/<svg[^>]*\b(width|height)=/);
  });

  it('draws bars in proportion to the amounts, from one baseline', () => {
    const html = render(
      days([
        [1000, 0],
        [2000, 0],
        [4000, 0],
      ]),
    );
    const [a, b, c] = bars(html);
    expect(attr(b!, 'height')).toBeCloseTo(2 * attr(a!, 'height'), 0);
    expect(attr(c!, 'height')).toBeCloseTo(4 * attr(a!, 'height'), 0);
    const baseline = CHART.height - CHART.bottom;
    for (const bar of [a!, b!, c!]) expect(attr(bar, 'y') + attr(bar, 'height')).toBeCloseTo(baseline, 0);
    expect(html).toContain('<title>Dec 3: €40.00 net sales</title>');
  });

  it('keeps a day without sales in its place, as a thin mark saying so', () => {
    const html = render(
      days([
        [1000, 0],
        [0, 0],
        [500, 0],
      ]),
    );
    const list = bars(html);
    expect(list).toHaveLength(3);
    expect(list[1]).toContain('class="bar zero"');
    expect(list[1]).toContain('data-date="2026-12-02"');
    expect(html).toContain('<title>Dec 2: no sales</title>');
  });

  it('labels the amount axis in round steps and the days under it, today always', () => {
    const html = render(days(Array.from({ length: 30 }, (): [number, number] => [0, 0]).map((d, i) => (i === 10 ? [123_400, 0] : d))));
    const yLabels = [...html.matchAll(/class="y-label"[^>]*>([^<]+)</g)].map((m) => m[1]);
    expect(yLabels).toEqual(['€0', '€500', '€1,000', '€1,500', '€2,000']);
    const xLabels = [...html.matchAll(/class="x-label"[^>]*>([^<]+)</g)].map((m) => m[1]);
    expect(xLabels).toEqual(['Dec 5', 'Dec 10', 'Dec 15', 'Dec 20', 'Dec 25', 'Dec 30']);
  });

  it('draws donations apart from the bars: a dot on a stem on each day that had some', () => {
    const html = render(
      days([
        [1000, 0],
        [0, 500],
        [0, 0],
      ]),
    );
    expect(html).toContain('<g class="donations"');
    expect(html.match(/<g class="donation" data-date="2026-12-02">/g)).toHaveLength(1);
    expect(html.match(/<circle /g)).toHaveLength(1);
    expect(html).toContain('<title>Dec 2: €5.00 donations</title>');
    expect(render(days([[1000, 0]]))).not.toContain('class="donations"');
  });

  it('shows an empty period on an axis of whole currency units', () => {
    const html = render(
      days([
        [0, 0],
        [0, 0],
      ]),
      'JPY',
    );
    expect([...html.matchAll(/class="y-label"[^>]*>([^<]+)</g)].map((m) => m[1])).toEqual(['¥0', '¥1', '¥2', '¥3', '¥4']);
    expect(bars(html).every((b) => b.includes('bar zero'))).toBe(true);
  });

  it('chooses steps of 1, 2, 2.5 or 5 times a power of ten', () => {
    expect(axisStep(123_400, 'EUR')).toBe(50_000);
    expect(axisStep(1900, 'EUR')).toBe(500);
    expect(axisStep(900, 'EUR')).toBe(250);
    expect(axisStep(0, 'EUR')).toBe(25);
  });
});
