/**
 * The band around the live sharpness estimates, from each estimate's own uncertainty: value ± spread, the spread being
 * the residual ‖Hv − λv‖ that bounds the distance to the nearest eigenvalue. Estimates use few products, so single
 * values can be off by more than the gap between two runs; the band says when a gap is more than that.
 */
export interface BandPoint {
  step: number;
  value: number;
  lo: number;
  hi: number;
}

/** A value with its ± uncertainty. */
export interface Spread {
  value: number;
  spread: number;
}

export function sharpnessBand(estimates: readonly ({ step: number } & Spread)[]): BandPoint[] {
  return estimates.map((e) => ({ step: e.step, value: e.value, lo: e.value - e.spread, hi: e.value + e.spread }));
}

/**
 * How `a` compares with `b` once both uncertainties are counted: 'lower' (flatter) or 'higher' only when the
 * intervals value ± spread do not overlap; otherwise the difference is within the noise.
 */
export function compareSpread(a: Spread, b: Spread): 'lower' | 'higher' | 'within' {
  if (a.value + a.spread < b.value - b.spread) return 'lower';
  if (a.value - a.spread > b.value + b.spread) return 'higher';
  return 'within';
}

/** The two runs' estimates at the last step both have, compared; null before there is one. */
export function lastCommonComparison(
  a: readonly ({ step: number } & Spread)[],
  b: readonly ({ step: number } & Spread)[],
): { step: number; a: Spread; b: Spread; verdict: ReturnType<typeof compareSpread> } | null {
  const byStep = new Map(b.map((e) => [e.step, e]));
  for (let i = a.length - 1; i >= 0; i--) {
    const other = byStep.get(a[i].step);
    if (other) return { step: a[i].step, a: a[i], b: other, verdict: compareSpread(a[i], other) };
  }
  return null;
}
