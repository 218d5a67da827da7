import type { StepMetrics } from '../engine/train/metrics';
import type { MetricBatch } from './protocol';

/** Collects per-step metrics and hands them out a few times a second, never one message per step. */
export class MetricBatcher {
  private pending: StepMetrics[] = [];
  private lastFlush = 0;

  constructor(
    private readonly send: (batch: MetricBatch) => void,
    private readonly intervalMs = 250,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(m: StepMetrics): void {
    this.pending.push(m);
    if (this.now() - this.lastFlush >= this.intervalMs) this.flush();
  }

  flush(): void {
    this.lastFlush = this.now();
    const p = this.pending;
    if (p.length === 0) return;
    this.pending = [];
    this.send({
      step: Int32Array.from(p, (m) => m.step),
      loss: Float32Array.from(p, (m) => m.loss),
      accuracy: Float32Array.from(p, (m) => m.accuracy),
      lr: Float32Array.from(p, (m) => m.lr),
      msPerStep: Float32Array.from(p, (m) => m.msPerStep),
    });
  }
}

export function batchBuffers(b: MetricBatch): ArrayBuffer[] {
  return [b.step.buffer, b.loss.buffer, b.accuracy.buffer, b.lr.buffer, b.msPerStep.buffer] as ArrayBuffer[];
}
