import type { MetricBatch } from '../worker/protocol';

export const METRIC_FIELDS = ['loss', 'ce', 'consistency', 'lambda', 'accuracy', 'lr', 'msPerStep'] as const;
export type MetricField = (typeof METRIC_FIELDS)[number];

/** Every step's metrics at full resolution, in growing typed arrays, for export and throughput. */
export class MetricLog {
  private length = 0;
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
    const ms = this.column('msPerStep');
    const steps = this.steps();
    let total = 0;
    let n = 0;
    for (let i = 0; i < this.length; i++) {
      if (steps[i] === 1) continue;
      total += ms[i];
      n++;
    }
    return n > 0 && total > 0 ? (1000 * n) / total : null;
  }
}
