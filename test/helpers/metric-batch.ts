import type { MetricBatch } from '../../src/worker/protocol';

export type StepValues = Omit<Record<keyof MetricBatch, number>, 'step'>;

/** A batch of the given steps as the Worker sends it (typed arrays), each step's values from `values`. */
export function metricBatchOf(steps: readonly number[], values: (step: number) => StepValues): MetricBatch {
  const col = (f: keyof StepValues) => Float32Array.from(steps, (s) => values(s)[f]);
  return {
    step: Int32Array.from(steps),
    loss: col('loss'),
    accuracy: col('accuracy'),
    lr: col('lr'),
    msPerStep: col('msPerStep'),
    ce: col('ce'),
    consistency: col('consistency'),
    lambda: col('lambda'),
  };
}
