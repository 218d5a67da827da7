import { describe, expect, it } from 'vitest';
import type { StepMetrics } from '../src/engine/train/metrics';
import { batchBuffers, MetricBatcher } from '../src/worker/metric-batcher';
import type { MetricBatch } from '../src/worker/protocol';

const m = (step: number): StepMetrics => ({ step, loss: step / 10, accuracy: 0.5, lr: 0.1, msPerStep: 3, ce: step / 20, consistency: 0.25, lambda: 0.5 });

describe('MetricBatcher', () => {
  it('sends batches at most once per interval, as typed arrays, and flushes the rest on demand', () => {
    let now = 0;
    const sent: MetricBatch[] = [];
    const b = new MetricBatcher((batch) => sent.push(batch), 250, () => now);
    b.push(m(1)); // first push flushes: nothing sent before
    for (let s = 2; s <= 10; s++) {
      now += 20;
      b.push(m(s));
    }
    expect(sent).toHaveLength(1);
    now += 200;
    b.push(m(11));
    expect(sent).toHaveLength(2);
    expect(Array.from(sent[1].step)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(sent[1].loss[0]).toBeCloseTo(0.2, 6);
    expect(sent[1].lambda[9]).toBe(0.5);
    b.flush();
    expect(sent).toHaveLength(2);
    b.push(m(12));
    b.flush();
    expect(Array.from(sent[2].step)).toEqual([12]);
    expect(batchBuffers(sent[2])).toHaveLength(8);
    expect(new Set(batchBuffers(sent[2])).size).toBe(8);
  });
});
