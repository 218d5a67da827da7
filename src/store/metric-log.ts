import type { MetricBatch } from '../worker/protocol';

export const METRIC_FIELDS = ['loss', 'ce', 'consistency', 'lambda', 'accuracy', 'lr', 'msPerStep'] as const;
export type MetricField = (typeof METRIC_FIELDS)[number];

/** Every step's metrics at full resolution, in growing typed arrays, for export and throughput. */
export class MetricLog {
  private length = 0;
  // Running totals for the throughput, so it costs nothing per batch however long the run.
  private msTotal = 0;
  private msCount = 0;
  private stepData = new Int32Array(1024);
  private columns = Object.fromEntries(METRIC_FIELDS.map((f) => [f, new Float32Array(1024)])) as Record<MetricField, Float32Array>;

  get size(): number {
    return this.length;
  }

  append(b: MetricBatch): void {
    const n = b.step.length;
    if (this.length + n > this.stepData.length) {
      const cap = Math.max(this.stepData.length * 2, this.length + n);
      const grow = <T extends Int32Array | Float32Array>(a: T, make: (n: number) => T): T => {
        const next = make(cap);
        next.set(a.subarray(0, this.length));
        return next;
      };
      this.stepData = grow(this.stepData, (k) => new Int32Array(k));
      for (const f of METRIC_FIELDS) this.columns[f] = grow(this.columns[f], (k) => new Float32Array(k));
    }
    this.stepData.set(b.step, this.length);
    for (const f of METRIC_FIELDS) this.columns[f].set(b[f], this.length);
    this.length += n;
    for (let i = 0; i < n; i++) {
      if (b.step[i] === 1) continue;
      this.msTotal += b.msPerStep[i];
      this.msCount++;
    }
  }

  steps(): Int32Array {
    return this.stepData.subarray(0, this.length);
  }

  column(f: MetricField): Float32Array {
    return this.columns[f].subarray(0, this.length);
  }

  /**
   * Training steps per second over the run so far, leaving out the first step (warm-up, shader compilation).
   * Null before there is a second step.
   */
  stepsPerSecond(): number | null {
    return this.msCount > 0 && this.msTotal > 0 ? (1000 * this.msCount) / this.msTotal : null;
  }
}
