/**
 * A band around the live sharpness estimates from their own spread: at each estimate, the mean ± one standard
 * deviation of the last `window` estimates, from the first full window on. Each estimate uses few products on one
 * batch, so single values jitter; the band says how much of a change between runs is more than that jitter.
 */
export interface BandPoint {
  step: number;
  mean: number;
  lo: number;
  hi: number;
}

export function sharpnessBand(estimates: readonly { step: number; value: number }[], window = 5): BandPoint[] {
  const out: BandPoint[] = [];
  for (let i = Math.max(1, window - 1); i < estimates.length; i++) {
    const w = estimates.slice(i + 1 - Math.max(2, window), i + 1).map((e) => e.value);
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / (w.length - 1));
    out.push({ step: estimates[i].step, mean, lo: mean - std, hi: mean + std });
  }
  return out;
}
