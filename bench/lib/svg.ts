// A hand-written SVG plot of latency distributions: latency (log scale) by percentile, the percentile axis
// stretched towards the tail (50, 90, 99, 99.9 % equally spaced), as HdrHistogram plots them.
import { quantileSorted } from './common';

export interface LatencySeries {
  label: string;
  /** Latencies in ms. */
  samples: number[];
  color: string;
  dashed?: boolean;
}

const WIDTH = 860;
const HEIGHT = 500;
const MARGIN = { left: 70, right: 220, top: 50, bottom: 60 };
const MAX_TAIL = 3; // 99.9 %
const QUANTILE_TICKS = [0, 0.5, 0.9, 0.99, 0.999];

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const tail = (q: number) => Math.min(MAX_TAIL, -Math.log10(1 - q));

/** The latency axis's grid, log scale: a line and a label at each decade and at its 2x and 5x. */
function latencyGrid(low: number, high: number, y: (ms: number) => number, left: number, plotWidth: number): string[] {
  const lines: string[] = [];
  for (let decade = low; decade <= high * 1.0001; decade *= 10) {
    for (const step of [1, 2, 5]) {
      const value = decade * step;
      if (value > high * 1.0001) continue;
      const yy = y(value);
      lines.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${yy}" y2="${yy}" stroke="${step === 1 ? '#ccc' : '#eee'}"/>`);
      lines.push(`<text x="${left - 6}" y="${yy + 4}" text-anchor="end" fill="#333">${value >= 1 ? value : value.toPrecision(1)}</text>`);
    }
  }
  return lines;
}

export function latencySvg(title: string, subtitle: string, series: LatencySeries[]): string {
  const plotted = series
    .filter((entry) => entry.samples.length > 0)
    .map((entry) => ({ ...entry, sorted: [...entry.samples].sort((a, b) => a - b) }));
  const all = plotted.flatMap((entry) => [entry.sorted[0], quantileSorted(entry.sorted, 0.999)]);
  const low = Math.pow(10, Math.floor(Math.log10(Math.max(0.01, Math.min(...all, 1)))));
  const high = Math.pow(10, Math.ceil(Math.log10(Math.max(...all, 1) * 1.05)));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (q: number) => MARGIN.left + (tail(q) / MAX_TAIL) * plotWidth;
  const y = (ms: number) =>
    MARGIN.top + plotHeight - ((Math.log10(Math.max(ms, low)) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))) * plotHeight;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`);
  parts.push(`<text x="${MARGIN.left}" y="22" font-size="15" font-weight="bold">${escape(title)}</text>`);
  parts.push(`<text x="${MARGIN.left}" y="39" fill="#555">${escape(subtitle)}</text>`);

  // Grid: decades and 2x/5x on the latency axis, the chosen percentiles on the other.
  parts.push(...latencyGrid(low, high, y, MARGIN.left, plotWidth));
  for (const q of QUANTILE_TICKS) {
    const xx = x(q);
    parts.push(`<line x1="${xx}" x2="${xx}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}" stroke="#ddd"/>`);
    parts.push(
      `<text x="${xx}" y="${MARGIN.top + plotHeight + 18}" text-anchor="middle" fill="#333">${q === 0 ? 'min' : `p${(q * 100).toString()}`}</text>`,
    );
  }
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 18}" text-anchor="middle">percentile of requests</text>`);
  parts.push(
    `<text transform="translate(18 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">latency, ms (log scale)</text>`,
  );

  // One curve per series: 200 points spread evenly along the stretched axis.
  plotted.forEach((entry, index) => {
    const points: string[] = [];
    for (let step = 0; step <= 200; step++) {
      const q = 1 - Math.pow(10, -(step / 200) * MAX_TAIL);
      const value = quantileSorted(entry.sorted, step === 0 ? 0 : q);
      points.push(`${x(step === 0 ? 0 : q).toFixed(1)},${y(value).toFixed(1)}`);
    }
    parts.push(
      `<polyline fill="none" stroke="${entry.color}" stroke-width="2"${entry.dashed ? ' stroke-dasharray="6 4"' : ''} points="${points.join(' ')}"/>`,
    );
    const legendY = MARGIN.top + 10 + index * 34;
    const legendX = MARGIN.left + plotWidth + 14;
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 24}" y1="${legendY}" y2="${legendY}" stroke="${entry.color}" stroke-width="2"${entry.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    parts.push(`<text x="${legendX + 30}" y="${legendY + 4}">${escape(entry.label)}</text>`);
    const p50 = quantileSorted(entry.sorted, 0.5);
    const p99 = quantileSorted(entry.sorted, 0.99);
    parts.push(
      `<text x="${legendX + 30}" y="${legendY + 18}" fill="#555" font-size="11">p50 ${p50.toFixed(2)} · p99 ${p99.toFixed(2)} ms · n=${entry.sorted.length}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

export interface SizeSeries {
  label: string;
  color: string;
  dashed?: boolean;
  /** (table size, latency in ms) */
  points: { size: number; ms: number }[];
}

const decadesAround = (values: number[], headroom = 1.0001): [number, number] => [
  Math.pow(10, Math.floor(Math.log10(Math.max(1e-3, Math.min(...values))))),
  Math.pow(10, Math.ceil(Math.log10(Math.max(...values) * headroom))),
];

/** Latency against table size, both axes log scale: a flat line costs the same at any size, a slope of 1 grows with the table. */
export function scaleSvg(title: string, subtitle: string, series: SizeSeries[]): string {
  const width = 980;
  const height = 560;
  const margin = { left: 70, right: 380, top: 50, bottom: 60 };
  const plotted = series.filter((entry) => entry.points.some((point) => Number.isFinite(point.ms)));
  const sizes = plotted.flatMap((entry) => entry.points.map((point) => point.size));
  const values = plotted.flatMap((entry) => entry.points.map((point) => point.ms)).filter(Number.isFinite);
  const [xLow, xHigh] = decadesAround(sizes, 1); // sizes are decades themselves: 1,000,000 ends the axis
  const [yLow, yHigh] = decadesAround(values);
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const x = (size: number) => margin.left + ((Math.log10(size) - Math.log10(xLow)) / (Math.log10(xHigh) - Math.log10(xLow))) * plotWidth;
  const y = (ms: number) =>
    margin.top + plotHeight - ((Math.log10(Math.max(ms, yLow)) - Math.log10(yLow)) / (Math.log10(yHigh) - Math.log10(yLow))) * plotHeight;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${margin.left}" y="22" font-size="15" font-weight="bold">${escape(title)}</text>`,
    `<text x="${margin.left}" y="39" fill="#555">${escape(subtitle)}</text>`,
  ];
  parts.push(...latencyGrid(yLow, yHigh, y, margin.left, plotWidth));
  for (let decade = xLow; decade <= xHigh * 1.0001; decade *= 10) {
    const xx = x(decade);
    parts.push(`<line x1="${xx}" x2="${xx}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#ccc"/>`);
    parts.push(
      `<text x="${xx}" y="${margin.top + plotHeight + 18}" text-anchor="middle" fill="#333">${decade.toLocaleString('en')}</text>`,
    );
  }
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${margin.left + plotWidth / 2}" y="${height - 18}" text-anchor="middle">records in the table (log scale)</text>`);
  parts.push(
    `<text transform="translate(18 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">median latency, ms (log scale)</text>`,
  );
  plotted.forEach((entry, index) => {
    const points = entry.points.filter((point) => Number.isFinite(point.ms)).sort((a, b) => a.size - b.size);
    const dash = entry.dashed ? ' stroke-dasharray="6 4"' : '';
    if (points.length > 1) {
      parts.push(
        `<polyline fill="none" stroke="${entry.color}" stroke-width="2"${dash} points="${points.map((point) => `${x(point.size).toFixed(1)},${y(point.ms).toFixed(1)}`).join(' ')}"/>`,
      );
    }
    for (const point of points)
      parts.push(`<circle cx="${x(point.size).toFixed(1)}" cy="${y(point.ms).toFixed(1)}" r="3.5" fill="${entry.color}"/>`);
    const legendY = margin.top + 8 + index * 19;
    const legendX = margin.left + plotWidth + 14;
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 22}" y1="${legendY}" y2="${legendY}" stroke="${entry.color}" stroke-width="2"${dash}/>`,
    );
    parts.push(`<text x="${legendX + 28}" y="${legendY + 4}" font-size="11">${escape(entry.label)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
