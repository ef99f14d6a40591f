/**
 * A tiny SVG chart helper for the notebooks: scatter, line and bar charts as an
 * SVG string, shown with tslab's `display.html`. Hand-written (no charting
 * library) because it must render in Node without a DOM and stay dependency-free.
 */

/** One series of points. */
export interface Series {
  readonly name: string;
  readonly xs: readonly number[];
  readonly ys: readonly number[];
  readonly color?: string;
}

/** How the series are drawn. */
export type ChartKind = 'scatter' | 'line' | 'bar';

/** Chart options. */
export interface ChartOptions {
  readonly title: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly width?: number;
  readonly height?: number;
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'];

function extent(values: readonly number[]): [number, number] {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) { lo -= 1; hi += 1; }
  return [lo, hi];
}

/** Renders `series` as an SVG chart string. */
export function chart(kind: ChartKind, series: readonly Series[], opts: ChartOptions): string {
  const w = opts.width ?? 480, h = opts.height ?? 300, m = 45;
  const allX = series.flatMap((s) => s.xs), allY = series.flatMap((s) => s.ys);
  const [x0, x1] = extent(kind === 'bar' ? [...allX, Math.min(...allX) - 0.5, Math.max(...allX) + 0.5] : allX);
  const [y0, y1] = extent(kind === 'bar' ? [0, ...allY] : allY);
  const px = (x: number): number => m + ((x - x0) / (x1 - x0)) * (w - 2 * m);
  const py = (y: number): number => h - m - ((y - y0) / (y1 - y0)) * (h - 2 * m);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="11">`);
  parts.push(`<text x="${w / 2}" y="16" text-anchor="middle" font-size="13">${opts.title}</text>`);
  parts.push(`<line x1="${m}" y1="${h - m}" x2="${w - m}" y2="${h - m}" stroke="#333"/><line x1="${m}" y1="${m}" x2="${m}" y2="${h - m}" stroke="#333"/>`);
  for (const t of [0, 0.5, 1]) {
    const xv = x0 + t * (x1 - x0), yv = y0 + t * (y1 - y0);
    parts.push(`<text x="${px(xv)}" y="${h - m + 14}" text-anchor="middle">${xv.toPrecision(3)}</text>`);
    parts.push(`<text x="${m - 4}" y="${py(yv) + 4}" text-anchor="end">${yv.toPrecision(3)}</text>`);
  }
  if (opts.xLabel) parts.push(`<text x="${w / 2}" y="${h - 8}" text-anchor="middle">${opts.xLabel}</text>`);
  if (opts.yLabel) parts.push(`<text x="12" y="${h / 2}" text-anchor="middle" transform="rotate(-90 12 ${h / 2})">${opts.yLabel}</text>`);
  series.forEach((s, k) => {
    const color = s.color ?? COLORS[k % COLORS.length];
    if (kind === 'line') {
      const d = s.xs.map((x, i) => `${i === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(s.ys[i]).toFixed(1)}`).join(' ');
      parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    } else if (kind === 'scatter') {
      s.xs.forEach((x, i) => parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(s.ys[i]).toFixed(1)}" r="2.5" fill="${color}" fill-opacity="0.6"/>`));
    } else {
      const bw = ((w - 2 * m) / (x1 - x0)) * 0.8 / series.length;
      s.xs.forEach((x, i) => {
        const left = px(x) - (bw * series.length) / 2 + k * bw;
        parts.push(`<rect x="${left.toFixed(1)}" y="${py(s.ys[i]).toFixed(1)}" width="${bw.toFixed(1)}" height="${(py(0) - py(s.ys[i])).toFixed(1)}" fill="${color}"/>`);
      });
    }
    parts.push(`<text x="${w - m}" y="${m + 14 * k}" text-anchor="end" fill="${color}">${s.name}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
