/** One row of an overlay chart: a step and a value per line (null where that line has no point). */
export type OverlayRow = { step: number } & Record<string, number | null>;

/** A named series, read as (step, value) pairs whatever rows it comes from. */
export interface OverlayLine {
  key: string;
  points(): Iterable<readonly [number, number | null]>;
}

export function lineOf<R extends { step: number }>(key: string, rows: readonly R[], value: (row: R) => number | null): OverlayLine {
  return {
    key,
    *points() {
      for (const r of rows) yield [r.step, value(r)] as const;
    },
  };
}

/**
 * Puts several series on one step axis so a single tooltip shows every run at a step. Steps that only one line has
 * leave the others empty there (charts bridge such gaps). With `logScale`, values ≤ 0, which a log axis cannot
 * place, become gaps too.
 */
export function overlay(lines: readonly OverlayLine[], logScale = false): OverlayRow[] {
  const byStep = new Map<number, OverlayRow>();
  for (const line of lines) {
    for (const [step, v] of line.points()) {
      let row = byStep.get(step);
      if (!row) {
        row = { step } as OverlayRow;
        byStep.set(step, row);
      }
      row[line.key] = v === null || !Number.isFinite(v) || (logScale && v <= 0) ? null : v;
    }
  }
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

/**
 * Rows a chart draws, at most `maxRows`: about one per pixel of its width. Past that, consecutive rows are merged
 * into buckets of equal step spans; a merged row has the bucket's last step and, per line, the mean of the values it
 * holds there (null where it holds none). Every recharts redraw costs in proportion to its rows.
 */
export function thinRows(rows: OverlayRow[], maxRows: number): OverlayRow[] {
  if (rows.length <= maxRows) return rows;
  const span = Math.ceil(rows[rows.length - 1].step / maxRows);
  const out: OverlayRow[] = [];
  let sums = new Map<string, { sum: number; n: number }>();
  let bucket = -1;
  let last: OverlayRow | null = null;
  const close = () => {
    if (!last) return;
    const row = { step: last.step } as OverlayRow;
    for (const [k, { sum, n }] of sums) row[k] = n > 0 ? sum / n : null;
    out.push(row);
    sums = new Map();
  };
  for (const r of rows) {
    const b = Math.ceil(r.step / span);
    if (b !== bucket) {
      close();
      bucket = b;
    }
    for (const k in r) {
      if (k === 'step') continue;
      const acc = sums.get(k) ?? { sum: 0, n: 0 };
      const v = r[k];
      if (v !== null) {
        acc.sum += v;
        acc.n++;
      }
      sums.set(k, acc);
    }
    last = r;
  }
  close();
  return out;
}
