import * as tf from '@tensorflow/tfjs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SHIPPED_DATASET } from '../../src/config/playground-config';
import { initBackend } from '../../src/engine/backend/select';
import type { BackendChoice } from '../../src/engine/backend/types';
import { TrainingHost } from '../../src/worker/training-host';
import { syntheticDataset } from './synthetic-dataset';

// A full collection before each heap sample, so the figures are live memory, not garbage not yet collected.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export interface SoakSample {
  step: number;
  tensors: number;
  heapMb: number;
  /** webgpu: GPU buffers the backend holds (in use and pooled) and the bytes allocated for them. */
  gpuBuffers: number | null;
  gpuMb: number | null;
}

const tiny = syntheticDataset({ height: 6, width: 6, channels: 1, classes: 4, train: 80, test: 24 });

/**
 * A tiny run (LSQ+CR unless told) of `steps` steps in a training host, with a checkpoint every 50 ms and an evaluation every 500
 * steps, sampled every `every` steps (live tensors, JS heap, GPU buffers). The recorder keeps nothing it is posted,
 * so what grows is the host's.
 */
export async function soak(backend: BackendChoice, steps: number, every: number, method: 'lsq' | 'lsq+cr' = 'lsq+cr'): Promise<{ samples: SoakSample[]; checkpoints: number; errors: string[]; leftOver: number }> {
  const samples: SoakSample[] = [];
  let next = every;
  let checkpoints = 0;
  const errors: string[] = [];
  const gpu = () => (tf.getBackend() === 'webgpu' ? (tf.backend() as unknown as { bufferManager: { getNumUsedBuffers(): number; getNumFreeBuffers(): number } }).bufferManager : null);
  const host = new TrainingHost(
    {
      post: (e) => {
        if (e.type === 'checkpoint') checkpoints++;
        if (e.type === 'error') errors.push(e.message);
        if (e.type !== 'metrics') return;
        const step = e.batch.step[e.batch.step.length - 1];
        if (step < next) return;
        next += every;
        gc();
        const m = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number };
        const b = gpu();
        samples.push({
          step,
          tensors: m.numTensors,
          heapMb: process.memoryUsage().heapUsed / 2 ** 20,
          gpuBuffers: b ? b.getNumUsedBuffers() + b.getNumFreeBuffers() : null,
          gpuMb: m.numBytesAllocatedInGPU !== undefined ? m.numBytesAllocatedInGPU / 2 ** 20 : null,
        });
      },
      initBackend: (c) => initBackend(c),
      loadShippedDataset: () => Promise.resolve(tiny),
      close: () => undefined,
    },
    50,
  );
  await host.handle({ type: 'init', backend });
  const baseline = tf.memory().numTensors;
  await host.handle({
    type: 'configure',
    dataset: SHIPPED_DATASET,
    config: { model: 'mlp-narrow', method, steps, labeled: 40, batchSize: 8, evalEvery: 500, evalSamples: 24, seed: 1 },
    sharpness: { mode: 'off', every: 50 },
    gen: 1,
  });
  await host.handle({ type: 'start' });
  await host.handle({ type: 'reset' });
  const leftOver = tf.memory().numTensors - baseline;
  await host.handle({ type: 'dispose' });
  return { samples, checkpoints, errors, leftOver };
}

export function soakReport(steps: number, samples: SoakSample[], checkpoints: number): string {
  const range = (xs: number[], d = 0) => `${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)}`;
  const gpu = samples[0]?.gpuBuffers !== null ? `; GPU buffers ${range(samples.map((s) => s.gpuBuffers!))}, GPU MiB ${range(samples.map((s) => s.gpuMb!), 2)}` : '';
  return `soak: ${steps} steps, ${checkpoints} checkpoints; live tensors ${range(samples.map((s) => s.tensors))}; heap ${range(samples.map((s) => s.heapMb), 1)} MiB${gpu}; samples ${JSON.stringify(samples.map((s) => [s.step, s.tensors, +s.heapMb.toFixed(1), s.gpuBuffers]))}`;
}
