/**
 * Draws a horizontal bar chart as a standalone SVG string: no dependency,
 * no network. Log scale, so that 200/s and 30,000/s both show.
 *
 * @module
 */

/** One group of bars: a label and a value per series. */
export interface BarGroup {
  label: string;
  values: (number | undefined)[];
}

const COLORS = ["#2b6cb0", "#9ac1e6", "#c05621"];

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function short(value: number): string {
  if (value >= 1000) return `${(value / 1000).toFixed(value >= 10_000 ? 0 : 1)}k`;
  return value >= 10 ? value.toFixed(0) : value.toFixed(1);
}

/** A bar chart of items per second, one group of bars per program, log scale. */
export function barChart(title: string, series: string[], groups: BarGroup[]): string {
  const labelWidth = 250, plotWidth = 520, barHeight = 11, gap = 10, top = 56, right = 60;
  const groupHeight = series.length * barHeight + gap;
  const height = top + groups.length * groupHeight + 36;
  const width = labelWidth + plotWidth + right;
  const all = groups.flatMap((g) => g.values).filter((v): v is number => v !== undefined && v > 0);
  const low = Math.pow(10, Math.floor(Math.log10(Math.min(...all, 100))));
  const high = Math.pow(10, Math.ceil(Math.log10(Math.max(...all, 1000))));
  const x = (v: number) => labelWidth + (Math.log10(v / low) / Math.log10(high / low)) * plotWidth;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escape(title)}</text>`,
  );
  series.forEach((name, i) => {
    const lx = labelWidth + i * 150;
    out.push(
      `<rect x="${lx}" y="30" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/>`,
      `<text x="${lx + 14}" y="39">${escape(name)}</text>`,
    );
  });
  for (let tick = low; tick <= high; tick *= 10) {
    const tx = x(tick);
    out.push(
      `<line x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${height - 30}" stroke="#dddddd"/>`,
      `<text x="${tx}" y="${height - 16}" text-anchor="middle" fill="#555555">${short(tick)}/s</text>`,
    );
  }
  groups.forEach((group, g) => {
    const gy = top + g * groupHeight;
    out.push(
      `<text x="${labelWidth - 8}" y="${gy + (series.length * barHeight) / 2 + 4}" text-anchor="end">${
        escape(group.label)
      }</text>`,
    );
    group.values.forEach((value, i) => {
      if (value === undefined || !(value > 0)) return;
      const y = gy + i * barHeight;
      const w = Math.max(1, x(Math.max(value, low)) - labelWidth);
      out.push(
        `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight - 2}" fill="${
          COLORS[i % COLORS.length]
        }"/>`,
        `<text x="${(labelWidth + w + 4).toFixed(1)}" y="${y + barHeight - 3}" font-size="9" fill="#333333">${
          short(value)
        }</text>`,
      );
    });
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
