import type { RunId } from '../../config/run-config';

export interface SpectrumStats {
  max: number;
  mean: number;
  variance: number;
}

/** Max, mean and (population) variance of a set of eigenvalues, as the paper's Figure 5 reports them. */
export function spectrumStats(values: readonly number[]): SpectrumStats {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  return { max: Math.max(...values), mean, variance: values.reduce((a, b) => a + (b - mean) ** 2, 0) / n };
}

/**
 * How many of each run's eigenvalue magnitudes fall in each of `bins` equal bins from 0 to the largest magnitude of
 * any run, so runs share one axis.
 */
export function spectrumHistogram(byRun: Partial<Record<RunId, readonly number[]>>, bins = 15): ({ from: number; to: number } & Partial<Record<RunId, number>>)[] {
  const all = Object.values(byRun).flatMap((v) => (v ?? []).map(Math.abs));
  const top = Math.max(1e-12, ...all);
  const width = top / bins;
  const rows = Array.from({ length: bins }, (_, i) => ({ from: i * width, to: (i + 1) * width }) as { from: number; to: number } & Partial<Record<RunId, number>>);
  for (const [id, values] of Object.entries(byRun) as [RunId, readonly number[]][]) {
    for (const r of rows) r[id] = 0;
    for (const v of values) rows[Math.min(bins - 1, Math.floor(Math.abs(v) / width))][id]! += 1;
  }
  return rows;
}
