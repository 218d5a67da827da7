/** Learning rate at step t (0-based) of T: linear warm-up, then cosine decay from base to base·minFactor. */
export function cosineLr(t: number, total: number, base: number, warmup = 0, minFactor = 0): number {
  if (warmup > 0 && t < warmup) return (base * (t + 1)) / warmup;
  const span = Math.max(1, total - warmup);
  const progress = Math.min(1, (t - warmup) / span);
  const min = base * minFactor;
  return min + 0.5 * (base - min) * (1 + Math.cos(Math.PI * progress));
}
