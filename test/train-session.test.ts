import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/engine/backend/select';
import { loadFashionMnistNode } from '../src/node/project-files';
import type { Dataset } from '../src/engine/data/types';
import type { TrainConfigInput } from '../src/engine/train/config';
import { TrainingSession } from '../src/engine/train/session';
import { syntheticDataset } from './helpers/synthetic-dataset';

let fmnist: Dataset;
const tiny = syntheticDataset({ height: 12, width: 12, channels: 1, classes: 4, train: 400, test: 80 });

beforeAll(async () => {
  // wasm: the fast CPU path, and the one the CLI uses.
  const r = await initBackend('wasm');
  expect(r.name).toBe('wasm');
  fmnist = await loadFashionMnistNode();
});

async function losses(ds: Dataset, cfg: TrainConfigInput): Promise<number[]> {
  const s = new TrainingSession(ds, cfg);
  const out: number[] = [];
  await s.start({ onStep: (m) => out.push(m.loss) });
  s.dispose();
  return out;
}

describe('TrainingSession', () => {
  const cfg: TrainConfigInput = { model: 'mlp', steps: 15, labeled: 200, batchSize: 32, evalEvery: 0, quant: { wbits: 2, abits: 2 } };

  it('is deterministic: the same seed gives identical losses, another seed differs', async () => {
    const a = await losses(fmnist, { ...cfg, seed: 3 });
    const b = await losses(fmnist, { ...cfg, seed: 3 });
    const c = await losses(fmnist, { ...cfg, seed: 4 });
    expect(a).toHaveLength(15);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('is deterministic for a conv net with BatchNorm (cnn-small)', async () => {
    const conv: TrainConfigInput = { model: 'cnn-small', steps: 4, labeled: 40, batchSize: 8, evalEvery: 0 };
    const a = await losses(tiny, { ...conv, seed: 1 });
    const b = await losses(tiny, { ...conv, seed: 1 });
    expect(b).toEqual(a);
  });

  it('keeps the tensor count flat: step 200 equals step 10, evaluations included', async () => {
    const s = new TrainingSession(fmnist, { model: 'mlp', steps: 200, labeled: 500, batchSize: 16, evalEvery: 50, evalSamples: 200 });
    // Counted where the loop holds (no later step queued, so no read-back in flight): after step 10 and at the end.
    const counts = new Map<number, number>();
    await s.start({ holdAfter: (t) => t === 10, afterStep: async (m) => void counts.set(m.step, tf.memory().numTensors) });
    // Evaluations hold too (steps 50, 100, 150): every count where the loop held is the same.
    expect([...counts.keys()]).toEqual([10, 50, 100, 150, 200]);
    expect(new Set(counts.values()).size).toBe(1);
    s.dispose();
  });

  it('keeps the tensor count flat for cnn-small and resnet20', async () => {
    for (const model of ['cnn-small', 'resnet20'] as const) {
      const ds = model === 'resnet20' ? syntheticDataset({ height: 8, width: 8, channels: 3, classes: 4, train: 64, test: 16 }) : tiny;
      const s = new TrainingSession(ds, { model, steps: 12, labeled: 32, batchSize: 4, evalEvery: 5 });
      const counts = new Map<number, number>();
      await s.start({ holdAfter: (t) => t === 3, afterStep: async (m) => void counts.set(m.step, tf.memory().numTensors) });
      expect([...counts.keys()], model).toEqual([3, 5, 10, 12]);
      expect(new Set(counts.values()).size, model).toBe(1);
      s.dispose();
    }
  });

  it('releases every tensor on dispose', async () => {
    const before = tf.memory().numTensors;
    const s = new TrainingSession(tiny, { model: 'cnn-small', steps: 2, labeled: 16, batchSize: 4, optimizer: { name: 'adam' }, lr: 1e-3 });
    await s.start();
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('learns: an LSQ W4A4 MLP on 1,000 Fashion-MNIST labels clearly beats chance (10%)', async () => {
    const s = new TrainingSession(fmnist, { model: 'mlp', steps: 120, labeled: 1000, batchSize: 64, evalEvery: 0, seed: 0 });
    await s.start();
    const test = await s.evaluate('test', 2000);
    s.dispose();
    expect(test.accuracy).toBeGreaterThan(0.65);
  });

  it('pauses, steps and resumes to the same result as an uninterrupted run', async () => {
    const plain = await losses(fmnist, { ...cfg, seed: 7 });
    const s = new TrainingSession(fmnist, { ...cfg, seed: 7 });
    const seen: number[] = [];
    await s.start({
      onStep: (m) => {
        seen.push(m.loss);
        if (m.step === 5) void s.pause();
      },
    });
    expect(s.state).toBe('paused');
    // Step 6 was queued before step 5 was read back: the pause comes after it, and it is reported.
    expect(s.step).toBe(6);
    expect(seen).toHaveLength(6);
    const one = await s.stepOnce();
    seen.push(one.loss);
    expect(s.step).toBe(7);
    await s.resume({ onStep: (m) => seen.push(m.loss) });
    expect(s.state).toBe('done');
    expect(seen).toEqual(plain);
    await expect(s.stepOnce()).rejects.toThrow(/complete/);
    s.dispose();
  });

  it('reports a diverging run instead of training on NaN', async () => {
    const s = new TrainingSession(tiny, { model: 'mlp', method: 'fp32', steps: 30, labeled: 40, batchSize: 8, lr: 1e6, optimizer: { momentum: 0 } });
    await expect(s.start()).rejects.toThrow(/diverged/);
    expect(s.state).toBe('failed');
    s.dispose();
  });

  it('evaluates periodically on a test subset and at the end on the whole test split', async () => {
    const s = new TrainingSession(tiny, { model: 'mlp', steps: 10, labeled: 40, batchSize: 8, evalEvery: 4, evalSamples: 20 });
    const evals: { step: number; samples: number }[] = [];
    await s.start({ onEval: (m) => evals.push({ step: m.step, samples: m.samples }) });
    expect(evals).toEqual([
      { step: 4, samples: 20 },
      { step: 8, samples: 20 },
      { step: 10, samples: 80 },
    ]);
    s.dispose();
  });
});
