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
