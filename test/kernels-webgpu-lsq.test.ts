/**
 * The fused LSQ kernels on webgpu (one pass forward; dx and the step gradient's reduction in the backward)
 * against the same quantizer built from stock TF.js ops on webgpu and on cpu. Node + Dawn on SwiftShader.
 *
 * Inputs sit away from rounding ties and range edges (x/s = integer + an offset in [0.1, 0.4] or [0.6, 0.9]):
 * there a different float rounding of x/s would flip round() and the step gradient by a whole unit.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerProjectKernels } from '../src/engine/kernels/register';
import { lsqFakeQuant, quantRange } from '../src/engine/quant/lsq';
import { LSQ_FAKE_QUANT, LSQ_FAKE_QUANT_GRAD } from '../src/engine/kernels/contracts';
import { hasKernels } from '../src/engine/kernels/run-fused';
import { Rng } from '../src/engine/util/rng';
import { useNodeWebGPU } from './helpers/node-webgpu';

const gpu = useNodeWebGPU({ selectBackend: true });

interface Case {
  name: string;
  xShape: number[];
  /** [] per tensor, [C] per channel of the last axis. */
  stepShape: number[];
  bits: number;
  signed: boolean;
}

const CASES: Case[] = [
  { name: 'signed 4-bit weights, per tensor', xShape: [3, 3, 4, 5], stepShape: [], bits: 4, signed: true },
  { name: 'signed 4-bit weights, per channel', xShape: [3, 3, 4, 5], stepShape: [5], bits: 4, signed: true },
  { name: 'signed 2-bit dense weights, per channel', xShape: [12, 3], stepShape: [3], bits: 2, signed: true },
  { name: 'unsigned 4-bit activations, per tensor', xShape: [2, 5, 5, 3], stepShape: [], bits: 4, signed: false },
  { name: 'unsigned 2-bit activations, step of shape [1]', xShape: [2, 4, 4, 2], stepShape: [1], bits: 2, signed: false },
  // More than one workgroup's worth of elements per channel: partial sums and a second pass.
  { name: 'unsigned 8-bit, many elements per tensor', xShape: [2, 48, 48, 2], stepShape: [], bits: 8, signed: false },
  { name: 'signed 4-bit, many elements per channel', xShape: [2, 40, 40, 3], stepShape: [3], bits: 4, signed: true },
];

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Steps, x = s·(k + offset) with k over the range and a little beyond it, and an upstream gradient. */
function inputs(c: Case) {
  const rng = new Rng(11, c.name);
  const { qn, qp } = quantRange(c.bits, c.signed);
  const channels = c.stepShape.length ? c.stepShape[c.stepShape.length - 1] : 1;
  const steps = Float32Array.from({ length: channels }, () => 0.05 + 0.2 * rng.uniform());
  const x = new Float32Array(size(c.xShape));
  for (let i = 0; i < x.length; i++) {
    const k = Math.floor(-qn - 2 + rng.uniform() * (qn + qp + 4));
    const offset = rng.uniform() < 0.5 ? 0.1 + 0.3 * rng.uniform() : 0.6 + 0.3 * rng.uniform();
    x[i] = steps[i % channels] * (k + offset);
  }
  const dy = Float32Array.from({ length: x.length }, () => rng.normal());
  return { x, steps, dy };
}

interface Result {
  y: Float32Array;
  dx: Float32Array;
  ds: Float32Array;
  dsShape: number[];
  kernels: string[];
}

async function quantize(c: Case, backend: 'cpu' | 'webgpu', set: 'stock' | 'custom' = 'custom'): Promise<Result> {
  await tf.setBackend(backend);
  if (backend === 'webgpu') registerProjectKernels('webgpu', set);
  const { x, steps, dy } = inputs(c);
  const xt = tf.tensor(x, c.xShape);
  const st = tf.tensor(steps, c.stepShape);
  const dyt = tf.tensor(dy, c.xShape);
  const before = { tensors: tf.memory().numTensors, buffers: tf.engine().backend.numDataIds() };
  const q = (a: tf.Tensor, s: tf.Tensor) => lsqFakeQuant(a, s, { bits: c.bits, signed: c.signed });
  const profile = await tf.profile(() => {
    const y = q(xt, st);
    const [dx, ds] = tf.grads((a: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(q(a, s), dyt)))([xt, st]);
    return [y, dx, ds];
  });
  const [y, dx, ds] = profile.result as tf.Tensor[];
  const out = { y: (await y.data()) as Float32Array, dx: (await dx.data()) as Float32Array, ds: (await ds.data()) as Float32Array, dsShape: ds.shape, kernels: profile.kernels.map((k) => k.name) };
  tf.dispose([y, dx, ds]);
  expect(tf.memory().numTensors).toBe(before.tensors);
  expect(tf.engine().backend.numDataIds()).toBe(before.buffers);
  tf.dispose([xt, st, dyt]);
  return out;
}

function maxRelDiff(a: Float32Array, ref: Float32Array): number {
  expect(a.length).toBe(ref.length);
  let worst = 0;
  ref.forEach((r, i) => (worst = Math.max(worst, Math.abs(a[i] - r) / Math.max(1, Math.abs(r)))));
  return worst;
}

describe('fused LSQ kernels on webgpu', () => {
  it('are registered by the custom kernel set and removed by the stock one', async () => {
    await tf.setBackend('webgpu');
    registerProjectKernels('webgpu', 'stock');
    expect(hasKernels(LSQ_FAKE_QUANT, LSQ_FAKE_QUANT_GRAD)).toBe(false);
    registerProjectKernels('webgpu', 'custom');
    expect(hasKernels(LSQ_FAKE_QUANT, LSQ_FAKE_QUANT_GRAD)).toBe(true);
    await tf.setBackend('cpu');
    expect(hasKernels(LSQ_FAKE_QUANT, LSQ_FAKE_QUANT_GRAD)).toBe(false);
  });

  it('keeps NaN as NaN, like the stock kernels and cpu, so a diverged run still shows a NaN loss', async () => {
    const x = [0.3, Number.NaN, -1.2, 2.6];
    const out: Record<string, number[]> = {};
    for (const [name, backend, set] of [['fused', 'webgpu', 'custom'], ['stock', 'webgpu', 'stock'], ['cpu', 'cpu', null]] as const) {
      await tf.setBackend(backend);
      if (set) registerProjectKernels('webgpu', set);
      const xt = tf.tensor1d(x);
      const s = tf.scalar(0.5);
      const y = lsqFakeQuant(xt, s, { bits: 4, signed: false });
      out[name] = Array.from(await y.data());
      tf.dispose([xt, s, y]);
    }
    await tf.setBackend('webgpu');
    registerProjectKernels('webgpu', 'custom');
    for (const name of ['fused', 'stock', 'cpu']) expect(Number.isNaN(out[name][1])).toBe(true);
    expect(out.fused).toEqual(out.cpu);
    expect(gpu.shaderWarnings()).toEqual([]);
  });

  it.each(CASES)('$name: value, dx and step gradient match stock webgpu and cpu', async (c) => {
    const fused = await quantize(c, 'webgpu', 'custom');
    const stock = await quantize(c, 'webgpu', 'stock');
    const cpu = await quantize(c, 'cpu');
    expect(fused.kernels).toContain(LSQ_FAKE_QUANT);
    expect(fused.kernels).toContain(LSQ_FAKE_QUANT_GRAD);
    expect(stock.kernels).not.toContain(LSQ_FAKE_QUANT);
    expect(fused.dsShape).toEqual(c.stepShape);
    // The forward is the stock kernels' arithmetic in one pass: identical on the same device.
    expect(Array.from(fused.y)).toEqual(Array.from(stock.y));
    expect(Array.from(fused.dx)).toEqual(Array.from(stock.dx));
    expect(maxRelDiff(fused.y, cpu.y)).toBeLessThan(1e-6);
    expect(Array.from(fused.dx)).toEqual(Array.from(cpu.dx));
    // The step gradient is a sum in a different order: equal to float tolerance.
    expect(maxRelDiff(fused.ds, stock.ds)).toBeLessThan(1e-4);
    expect(maxRelDiff(fused.ds, cpu.ds)).toBeLessThan(1e-4);
    expect(gpu.shaderWarnings()).toEqual([]);
  });
});
