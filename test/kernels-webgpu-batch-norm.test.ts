/**
 * The fused BatchNorm kernels on webgpu (statistics, normalisation, backward, running averages) against the same layer built from
 * stock TF.js ops on webgpu and on cpu: training-mode output, running averages, and the gradients of x, γ and β.
 * Node + Dawn on SwiftShader.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BATCH_NORM_APPLY, BATCH_NORM_GRAD, BATCH_NORM_RUNNING, BATCH_NORM_STATS } from '../src/engine/kernels/contracts';
import { registerProjectKernels } from '../src/engine/kernels/register';
import { hasKernels } from '../src/engine/kernels/run-fused';
import { BatchNorm } from '../src/engine/nn/batch-norm';
import { ParamStore } from '../src/engine/nn/params';
import { Rng } from '../src/engine/util/rng';
import { useNodeWebGPU } from './helpers/node-webgpu';

const gpu = useNodeWebGPU({ selectBackend: true });

const SHAPES: number[][] = [
  [2, 3, 3, 4],
  [5, 6],
  // More elements per channel than a workgroup has threads.
  [4, 12, 12, 3],
];

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

interface Result {
  y: Float32Array;
  dx: Float32Array;
  dgamma: Float32Array;
  dbeta: Float32Array;
  runningMean: Float32Array;
  runningVar: Float32Array;
  kernels: string[];
}

async function run(shape: number[], backend: 'cpu' | 'webgpu', set: 'stock' | 'custom', nanAt?: number): Promise<Result> {
  await tf.setBackend(backend);
  if (backend === 'webgpu') registerProjectKernels('webgpu', set);
  const rng = new Rng(5, shape.join('x'));
  const c = shape[shape.length - 1];
  const x = Float32Array.from({ length: size(shape) }, (_, i) => 0.3 * (i % c) + rng.normal() * (1 + (i % c)));
  if (nanAt !== undefined) x[nanAt] = Number.NaN;
  const dy = Float32Array.from({ length: x.length }, () => rng.normal());
  const store = new ParamStore(new Rng(1, 'bn'));
  const bn = new BatchNorm(store, 'bn', c);
  bn.gamma.assign(tf.tensor1d(Array.from({ length: c }, (_, i) => 0.5 + 0.25 * i)));
  bn.beta.assign(tf.tensor1d(Array.from({ length: c }, (_, i) => 0.1 * i - 0.2)));
  const xt = tf.tensor(x, shape);
  const dyt = tf.tensor(dy, shape);
  const ctx = { training: true, updateStats: true, calibrate: false };
  const profile = await tf.profile(() => {
    const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      void g;
      void b;
      return tf.sum(tf.mul(bn.forward(a, ctx), dyt));
    };
    const y = tf.tidy(() => bn.forward(xt, { ...ctx, updateStats: false }));
    const [dx, dgamma, dbeta] = tf.grads(f)([xt, bn.gamma, bn.beta]);
    return [y, dx, dgamma, dbeta];
  });
  const [y, dx, dgamma, dbeta] = profile.result as tf.Tensor[];
  const read = async (t: tf.Tensor) => (await t.data()) as Float32Array;
  const out = {
    y: await read(y),
    dx: await read(dx),
    dgamma: await read(dgamma),
    dbeta: await read(dbeta),
    runningMean: await read(bn.runningMean),
    runningVar: await read(bn.runningVar),
    kernels: profile.kernels.map((k) => k.name),
  };
  tf.dispose([y, dx, dgamma, dbeta, xt, dyt]);
  store.dispose();
  return out;
}

function maxRelDiff(a: Float32Array, ref: Float32Array): number {
  expect(a.length).toBe(ref.length);
  let worst = 0;
  ref.forEach((r, i) => (worst = Math.max(worst, Math.abs(a[i] - r) / Math.max(1, Math.abs(r)))));
  return worst;
}

describe('fused BatchNorm kernels on webgpu', () => {
  it('are registered by the custom kernel set only', async () => {
    await tf.setBackend('webgpu');
    registerProjectKernels('webgpu', 'stock');
    expect(hasKernels(BATCH_NORM_STATS, BATCH_NORM_APPLY, BATCH_NORM_GRAD, BATCH_NORM_RUNNING)).toBe(false);
    registerProjectKernels('webgpu', 'custom');
    expect(hasKernels(BATCH_NORM_STATS, BATCH_NORM_APPLY, BATCH_NORM_GRAD, BATCH_NORM_RUNNING)).toBe(true);
    await tf.setBackend('cpu');
    expect(hasKernels(BATCH_NORM_STATS, BATCH_NORM_APPLY, BATCH_NORM_GRAD, BATCH_NORM_RUNNING)).toBe(false);
  });

  it.each(SHAPES.map((shape) => ({ shape })))('$shape: output, running averages and gradients match stock webgpu and cpu', async ({ shape }) => {
    const fused = await run(shape, 'webgpu', 'custom');
    const stock = await run(shape, 'webgpu', 'stock');
    const cpu = await run(shape, 'cpu', 'stock');
    for (const k of [BATCH_NORM_STATS, BATCH_NORM_APPLY, BATCH_NORM_GRAD, BATCH_NORM_RUNNING]) {
      expect(fused.kernels).toContain(k);
      expect(stock.kernels).not.toContain(k);
    }
    // Sums in another order: float32 round-off only (measured up to 2e-6, as far as stock webgpu is from cpu).
    for (const key of ['y', 'dx', 'dgamma', 'dbeta', 'runningMean', 'runningVar'] as const) {
      expect(maxRelDiff(fused[key], stock[key]), key).toBeLessThan(1e-5);
      expect(maxRelDiff(fused[key], cpu[key]), key).toBeLessThan(1e-5);
    }
    expect(gpu.shaderWarnings()).toEqual([]);
  });

  it('keeps NaN as NaN: a NaN input poisons its channel, as on stock webgpu and cpu', async () => {
    const shape = [2, 2, 2, 3];
    const fused = await run(shape, 'webgpu', 'custom', 4);
    const stock = await run(shape, 'webgpu', 'stock', 4);
    const cpu = await run(shape, 'cpu', 'stock', 4);
    const nanPattern = (a: Float32Array) => Array.from(a, Number.isNaN);
    for (const key of ['y', 'dx', 'dgamma', 'dbeta'] as const) {
      expect(nanPattern(fused[key]), key).toEqual(nanPattern(cpu[key]));
      expect(nanPattern(fused[key]), key).toEqual(nanPattern(stock[key]));
    }
    await tf.setBackend('webgpu');
    registerProjectKernels('webgpu', 'custom');
  });
});
