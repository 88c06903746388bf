import { formatMoney, minorUnitDigits } from '../platform/money.js';

/** One day of the chart: net sales as a bar, donations as a dot on a stem; amounts in minor units. */
export interface ChartDay {
  /** YYYY-MM-DD (UTC) */
  date: string;
  net: number;
  donations: number;
}

// User units of the viewBox: the SVG scales to its box's width, text with it. 16-unit text is about
// 11 px on a 390 px phone and 19 px at the 640 px the stylesheet lets the chart grow to.
export const CHART = { width: 540, height: 270, left: 74, right: 34, top: 14, bottom: 40, font: 16 } as const;
const plotWidth = CHART.width - CHART.left - CHART.right;
const plotHeight = CHART.height - CHART.top - CHART.bottom;
const baseline = CHART.top + plotHeight;
const GRID_LINES = 4;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Dec 5" from 2026-12-05. */
export const shortDate = (date: string) => `${MONTHS[Number(date.slice(5, 7)) - 1]} ${Number(date.slice(8, 10))}`;

/** The axis top: the smallest 1, 2, 2.5 or 5 × 10ⁿ step (in minor units) that fits `max` in four grid lines. */
export function axisStep(max: number, currency: string): number {
  const floor = 10 ** minorUnitDigits(currency); // an empty chart still reads 0 … 4 of the major unit
  const rough = Math.max(max, floor) / GRID_LINES;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  return Math.max(1, Math.ceil(step));
}

/** Every `n`th day gets a date under the axis (today always): at most seven labels. */
const labelEvery = (days: number) => (days <= 7 ? 1 : days <= 31 ? 5 : 15);

/** An amount on the axis: whole major units when the step allows (€1,200), else with its decimals. */
function axisLabel(amount: number, step: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const whole = step % 10 ** digits === 0;
  return new Intl.NumberFormat('en', {
    style: 'currency',
    currency,
    minimumFractionDigits: whole ? 0 : digits,
    maximumFractionDigits: whole ? 0 : digits,
  }).format(amount / 10 ** digits);
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * Net sales per day as bars and donations as stems with a dot over them, drawn on the server: an SVG that
 * scales with its viewBox, an accessible name that states the totals, and a tooltip per bar.
 * Pure: the same days give the same markup. The page puts the numbers in a table beside it.
 */
export function RevenueChart({ currency, days, label }: { currency: string; days: ChartDay[]; label: string }) {
  const max = Math.max(0, ...days.map((d) => Math.max(d.net, d.donations)));
  const step = axisStep(max, currency);
  const top = step * GRID_LINES;
  const y = (amount: number) => round1(baseline - (amount / top) * plotHeight);
  const band = plotWidth / Math.max(1, days.length);
  const barWidth = round1(Math.max(1, band * 0.72));
  const centre = (i: number) => round1(CHART.left + band * i + band / 2);
  const every = labelEvery(days.length);
  const hasDonations = days.some((d) => d.donations > 0);
  return (
    <svg
      class="revenue-chart"
      viewBox={`0 0 ${CHART.width} ${CHART.height}`}
      role="img"
      aria-label={label}
      font-size={CHART.font}
      xmlns="http://www.w3.org/2000/svg"
    >
      <title>{label}</title>
      <g class="grid">
        {Array.from({ length: GRID_LINES + 1 }, (_, i) => (
          <g>
            <line x1={CHART.left} x2={CHART.width - CHART.right} y1={y(i * step)} y2={y(i * step)} stroke="#d8dee4" />
            <text class="y-label" x={CHART.left - 6} y={y(i * step) + CHART.font / 3} text-anchor="end" fill="#59636e">
              {axisLabel(i * step, step, currency)}
            </text>
          </g>
        ))}
      </g>
      <g class="bars" fill="#3451c9">
        {days.map((d, i) => {
          const height = round1((d.net / top) * plotHeight);
          return d.net > 0 ? (
            <rect
              class="bar"
              data-date={d.date}
              x={round1(centre(i) - barWidth / 2)}
              y={round1(baseline - height)}
              width={barWidth}
              height={height}
            >
              <title>{`${shortDate(d.date)}: ${formatMoney(d.net, currency)} net sales`}</title>
            </rect>
          ) : (
            // A day without sales keeps its place: a thin mark on the axis, not a gap.
            <rect
              class="bar zero"
              data-date={d.date}
              x={round1(centre(i) - barWidth / 2)}
              y={baseline - 2}
              width={barWidth}
              height={2}
              fill="#8c959f"
            >
              <title>{`${shortDate(d.date)}: no sales`}</title>
            </rect>
          );
        })}
      </g>
      {hasDonations && (
        // Donations as stems with a dot: a shape of their own beside the bars, never stacked on sales.
        <g class="donations" fill="#a14d00" stroke="#a14d00">
          {days.map((d, i) =>
            d.donations > 0 ? (
              <g class="donation" data-date={d.date}>
                <title>{`${shortDate(d.date)}: ${formatMoney(d.donations, currency)} donations`}</title>
                <line x1={centre(i)} x2={centre(i)} y1={baseline} y2={y(d.donations)} stroke-width={2.5} />
                <circle cx={centre(i)} cy={y(d.donations)} r={5} stroke="#fff" stroke-width={1.5} />
              </g>
            ) : null,
          )}
        </g>
      )}
      <line class="axis" x1={CHART.left} x2={CHART.width - CHART.right} y1={baseline} y2={baseline} stroke="#59636e" />
      <g class="x-labels" fill="#59636e" text-anchor="middle">
        {days.map((d, i) =>
          (days.length - 1 - i) % every === 0 ? (
            <text class="x-label" x={centre(i)} y={baseline + CHART.font + 8}>
              {shortDate(d.date)}
            </text>
          ) : null,
        )}
      </g>
    </svg>
  );
}
