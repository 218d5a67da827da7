import type { StepMetrics } from '../engine';
import type { MetricBatch } from './protocol';

/** Collects per-step metrics and hands them out a few times a second, never one message per step. */
export class MetricBatcher {
  private pending: StepMetrics[] = [];
  // The first step is sent at once, so a run shows life before the first interval ends.
  private lastFlush = -Infinity;

  constructor(
    private readonly send: (batch: MetricBatch) => void,
    private readonly intervalMs = 250,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(m: StepMetrics): void {
    this.pending.push(m);
    if (this.now() - this.lastFlush >= this.intervalMs) this.flush();
  }

  /** Forgets what is pending (its run was dropped); the next run's first step is sent at once again. */
  discard(): void {
    this.pending = [];
    this.lastFlush = -Infinity;
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
      ce: Float32Array.from(p, (m) => m.ce),
      consistency: Float32Array.from(p, (m) => m.consistency),
      lambda: Float32Array.from(p, (m) => m.lambda),
    });
  }
}

export function batchBuffers(b: MetricBatch): ArrayBuffer[] {
  return [b.step, b.loss, b.accuracy, b.lr, b.msPerStep, b.ce, b.consistency, b.lambda].map((a) => a.buffer as ArrayBuffer);
}
