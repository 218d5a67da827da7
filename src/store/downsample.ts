/** One chart point: a step and named values. */
export type Row<K extends string> = { step: number } & Record<K, number>;

/** Most points per line a chart draws (DESIGN.md). */
export const MAX_POINTS = 2000;

/**
 * A streaming series kept to at most `maxPoints` rows by averaging. Steps fall into buckets of `stride` steps
 * ((k−1)·stride, k·stride]; when there are too many buckets the stride doubles and neighbours merge. Buckets end on
 * the same steps in every run with the same stride, so overlaid runs line up. A row's step is the last step it holds.
 */
export class Downsampler<K extends string> {
  private stride = 1;
  private readonly steps: number[] = [];
  private readonly counts: number[] = [];
  private readonly sums: Record<K, number>[] = [];

  constructor(
    private readonly keys: readonly K[],
    private readonly maxPoints = MAX_POINTS,
  ) {
    if (maxPoints < 2) throw new RangeError('maxPoints must be at least 2');
  }

  get size(): number {
    return this.steps.length;
  }

  get bucketSteps(): number {
    return this.stride;
  }

  private bucket(step: number, stride = this.stride): number {
    return Math.ceil(step / stride);
  }

  push(step: number, values: Record<K, number>): void {
    const last = this.steps.length - 1;
    if (last >= 0 && this.bucket(this.steps[last]) === this.bucket(step)) {
      this.steps[last] = step;
      this.counts[last]++;
      for (const k of this.keys) this.sums[last][k] += values[k];
    } else {
      this.steps.push(step);
      this.counts.push(1);
      this.sums.push({ ...values });
    }
    if (this.steps.length > this.maxPoints) this.coarsen();
  }

  /** Doubles the stride and merges rows that now share a bucket (in place). */
  private coarsen(): void {
    this.stride *= 2;
    let out = 0;
    for (let i = 0; i < this.steps.length; i++) {
      if (out > 0 && this.bucket(this.steps[out - 1]) === this.bucket(this.steps[i])) {
        this.steps[out - 1] = this.steps[i];
        this.counts[out - 1] += this.counts[i];
        for (const k of this.keys) this.sums[out - 1][k] += this.sums[i][k];
      } else {
        this.steps[out] = this.steps[i];
        this.counts[out] = this.counts[i];
        this.sums[out] = this.sums[i];
        out++;
      }
    }
    this.steps.length = out;
    this.counts.length = out;
    this.sums.length = out;
    if (out > this.maxPoints) this.coarsen();
  }

  /** A fresh array of bucket means (safe to hand to React). */
  rows(): Row<K>[] {
    return this.steps.map((step, i) => {
      const row = { step } as Row<K>;
      for (const k of this.keys) (row as Record<K, number>)[k] = this.sums[i][k] / this.counts[i];
      return row;
    });
  }
}
