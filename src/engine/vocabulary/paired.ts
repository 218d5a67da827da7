/**
 * Paired comparison of two methods over seeds (LSQ+CR − LSQ per seed, same labeled subset, init and batches):
 * the mean difference with a 95% Student-t interval. Plain numbers in and out, no TF.js, so the page's main thread
 * and the CLI share it.
 */

/** Two-sided 95% quantiles of Student's t, t_{0.975, df}, for df = 1..30; beyond that the normal 1.96 is close. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be a whole number ≥ 1, got ${df}`);
  return df <= T975.length ? T975[df - 1] : 1.96;
}

export interface PairedGain {
  /** Seeds compared. */
  n: number;
  /** Per-seed differences, in the order given. */
  diffs: number[];
  mean: number;
  /** Sample standard deviation of the differences (0 for one seed). */
  std: number;
  /** 95% interval of the mean difference; null for one seed (no spread to judge by). */
  interval: [number, number] | null;
  /** Seeds where the first method was ahead, and behind. */
  wins: number;
  losses: number;
  /** True when the interval covers 0, or there is only one seed: the gap cannot be told from seed noise. */
  withinNoise: boolean;
}

/** Paired differences a[i] − b[i] over seeds. */
export function pairedGain(a: readonly number[], b: readonly number[]): PairedGain {
  if (a.length !== b.length) throw new RangeError(`paired values need the same number of seeds (got ${a.length} and ${b.length})`);
  if (a.length === 0) throw new RangeError('paired values need at least one seed');
  const diffs = a.map((v, i) => v - b[i]);
  const n = diffs.length;
  const mean = diffs.reduce((s, d) => s + d, 0) / n;
  const std = n > 1 ? Math.sqrt(diffs.reduce((s, d) => s + (d - mean) ** 2, 0) / (n - 1)) : 0;
  const half = n > 1 ? (tQuantile975(n - 1) * std) / Math.sqrt(n) : NaN;
  const interval: [number, number] | null = n > 1 ? [mean - half, mean + half] : null;
  return {
    n,
    diffs,
    mean,
    std,
    interval,
    wins: diffs.filter((d) => d > 0).length,
    losses: diffs.filter((d) => d < 0).length,
    withinNoise: interval === null || (interval[0] <= 0 && interval[1] >= 0),
  };
}
