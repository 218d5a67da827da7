/**
 * The fused parameter updates on webgpu (SGD velocity, SGD step with the step-size floor, EMA teacher) against
 * the optimizer's and the teacher's plain TF.js ops on webgpu (stock kernel set) and on cpu.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { EmaTeacher } from '../src/engine/cr/ema-teacher';
import { EMA_UPDATE, FUSED_KERNEL_NAMES, SGD_STEP, SGD_VELOCITY } from '../src/engine/kernels/contracts';
import { registerProjectKernels } from '../src/engine/kernels/register';
import { maxPoolGradKernel } from '../src/engine/kernels/webgpu/max-pool-grad';
import { buildModel } from '../src/engine/models';
import type { Param, ParamKind } from '../src/engine/nn/params';
import { createOptimizer } from '../src/engine/train/optimizers';
import { resolveConfig } from '../src/engine/train/config';
import { Rng } from '../src/engine/util/rng';
import { expectSameRegistry, registryChanges, registrySnapshot } from './helpers/kernel-registry';
import { useNodeWebGPU } from './helpers/node-webgpu';

const gpu = useNodeWebGPU({ selectBackend: true });

type Where = { backend: 'cpu' } | { backend: 'webgpu'; set: 'stock' | 'custom' };

async function use(w: Where): Promise<void> {
  await tf.setBackend(w.backend);
  if (w.backend === 'webgpu') registerProjectKernels('webgpu', w.set);
}

function values(n: number, purpose: string, offset = 0): Float32Array {
  const rng = new Rng(3, purpose);
  return Float32Array.from({ length: n }, () => offset + rng.normal());
}

const PARAMS: { name: string; kind: ParamKind; shape: number[] }[] = [
  { name: 'w', kind: 'weight', shape: [3, 3, 2, 4] },
  { name: 'b', kind: 'bias', shape: [4] },
  // Small positive step sizes: a large gradient pushes one below the floor.
  { name: 's', kind: 'step', shape: [4] },
];

/** Three SGD steps (momentum, weight decay) with fixed gradients; the parameters afterwards, and launches. */
async function sgdSteps(w: Where) {
  await use(w);
  const params: Param[] = PARAMS.map((p) => ({
    name: p.name,
    kind: p.kind,
    variable: tf.variable(tf.tensor(p.kind === 'step' ? values(4, p.name).map((v) => 0.01 + Math.abs(v) * 0.01) : values(p.shape.reduce((a, b) => a * b, 1), p.name), p.shape)),
  }));
  const opt = createOptimizer(params, resolveConfig({ optimizer: { momentum: 0.9, weightDecay: 5e-4 } }).optimizer);
  const before = tf.memory().numTensors;
  const profile = await tf.profile(async () => {
    for (let step = 0; step < 3; step++) {
      const grads: Record<string, tf.Tensor> = {};
      for (const p of params) grads[p.variable.name] = tf.tensor(values(p.variable.size, `${p.name}-g${step}`, p.kind === 'step' ? 0.5 : 0), p.variable.shape);
      opt.apply(grads, 0.05);
      tf.dispose(Object.values(grads));
    }
  });
  const after = tf.memory().numTensors;
  const out = await Promise.all(params.map(async (p) => Array.from(await p.variable.data())));
  opt.dispose();
  params.forEach((p) => p.variable.dispose());
  return { out, kernels: profile.kernels.map((k) => k.name), velocityTensors: after - before };
}

function worst(a: number[][], ref: number[][]): number {
  let m = 0;
  ref.forEach((row, i) => row.forEach((r, j) => (m = Math.max(m, Math.abs(a[i][j] - r) / Math.max(1, Math.abs(r))))));
  return m;
}

describe('the webgpu kernel registry', () => {
  it('registering twice is harmless; stock → custom → stock restores the exact stock configs; MaxPoolGrad stays the first-maximum one', () => {
    registerProjectKernels('webgpu', 'stock');
    const stock = registrySnapshot('webgpu');
    const maxPoolGrad = stock.get('MaxPoolGrad');
    expect(maxPoolGrad?.kernelFunc).toBe(maxPoolGradKernel.make(undefined));
    for (const name of FUSED_KERNEL_NAMES) expect(stock.has(name), name).toBe(false);
    registerProjectKernels('webgpu');
    expectSameRegistry(registrySnapshot('webgpu'), stock);

    registerProjectKernels('webgpu', 'custom');
    const custom = registrySnapshot('webgpu');
    const { changed, removed } = registryChanges(stock, custom);
    expect(removed).toEqual([]);
    expect(changed).toEqual(['Add', 'Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Multiply', 'Sub', ...FUSED_KERNEL_NAMES].sort());
    expect(custom.get('MaxPoolGrad')).toBe(maxPoolGrad);
    registerProjectKernels('webgpu', 'custom');
    expectSameRegistry(registrySnapshot('webgpu'), custom);

    registerProjectKernels('webgpu', 'stock');
    expectSameRegistry(registrySnapshot('webgpu'), stock);
    registerProjectKernels('webgpu', 'custom');
    expectSameRegistry(registrySnapshot('webgpu'), custom);
  });
});

describe('fused parameter updates on webgpu', () => {
  it('the floored SGD step keeps a NaN step size NaN, as tf.maximum does', async () => {
    const run = async (w: Where) => {
      await use(w);
      const params: Param[] = [{ name: 's', kind: 'step', variable: tf.variable(tf.tensor1d([0.5, 0.5, 0.5])) }];
      // Momentum on: the fused path needs it (first step: v = g).
      const opt = createOptimizer(params, resolveConfig({ optimizer: { momentum: 0.9, weightDecay: 0 } }).optimizer);
      const g = tf.tensor1d([Number.NaN, 1, 100]);
      const profile = await tf.profile(() => opt.apply({ [params[0].variable.name]: g }, 0.1));
      const out = Array.from(await params[0].variable.data());
      if (w.backend === 'webgpu') expect(profile.kernels.map((k) => k.name)).toContain(SGD_STEP);
      tf.dispose(g);
      opt.dispose();
      params[0].variable.dispose();
      return out;
    };
    const fused = await run({ backend: 'webgpu', set: 'custom' });
    const cpu = await run({ backend: 'cpu' });
    await use({ backend: 'webgpu', set: 'custom' });
    expect(Number.isNaN(fused[0])).toBe(true);
    expect(Number.isNaN(cpu[0])).toBe(true);
    // The other two: a plain update, and one the floor holds.
    expect(fused[1]).toBeCloseTo(0.4, 6);
    expect(fused[2]).toBeCloseTo(1e-6, 9);
    expect(gpu.shaderWarnings()).toEqual([]);
  });

  it('SGD with momentum and weight decay matches the op version on webgpu and cpu, in two launches per parameter', async () => {
    const fused = await sgdSteps({ backend: 'webgpu', set: 'custom' });
    const stock = await sgdSteps({ backend: 'webgpu', set: 'stock' });
    const cpu = await sgdSteps({ backend: 'cpu' });
    expect(fused.kernels.filter((k) => k === SGD_VELOCITY)).toHaveLength(3 * PARAMS.length);
    expect(fused.kernels.filter((k) => k === SGD_STEP)).toHaveLength(3 * PARAMS.length);
    expect(stock.kernels).not.toContain(SGD_STEP);
    // Only the velocity variables are new; no per-step tensor survives.
    expect(fused.velocityTensors).toBe(PARAMS.length);
    expect(stock.velocityTensors).toBe(PARAMS.length);
    // The floor held a step size that the update pushed below zero.
    expect(Math.min(...cpu.out[2])).toBeCloseTo(1e-6, 9);
    expect(worst(fused.out, stock.out)).toBeLessThan(1e-6);
    expect(worst(fused.out, cpu.out)).toBeLessThan(1e-6);
    expect(gpu.shaderWarnings()).toEqual([]);
  });

  it('the EMA teacher update matches the op version on webgpu and cpu, in one launch per parameter', async () => {
    const run = async (w: Where) => {
      await use(w);
      const cfg = resolveConfig({ model: 'mlp', quant: { wbits: 4, abits: 4 } });
      const student = buildModel({ name: 'mlp', inputShape: [4, 4, 1], numClasses: 3, quant: cfg.quant, seed: 1 });
      const teacher = new EmaTeacher(student, cfg.cr.teacher);
      for (const p of student.params) p.variable.assign(tf.tidy(() => tf.add(p.variable, tf.tensor(values(p.variable.size, p.name), p.variable.shape))));
      const before = tf.memory().numTensors;
      const profile = await tf.profile(() => {
        teacher.update();
        teacher.update();
      });
      expect(tf.memory().numTensors).toBe(before);
      const out = await Promise.all(teacher.model.params.map(async (p) => Array.from(await p.variable.data())));
      const launches = profile.kernels.filter((k) => k.name === EMA_UPDATE).length;
      const params = teacher.model.params.length;
      teacher.dispose();
      student.dispose();
      return { out, launches, params };
    };
    const fused = await run({ backend: 'webgpu', set: 'custom' });
    const stock = await run({ backend: 'webgpu', set: 'stock' });
    const cpu = await run({ backend: 'cpu' });
    expect(fused.launches).toBe(2 * fused.params);
    expect(stock.launches).toBe(0);
    expect(worst(fused.out, stock.out)).toBeLessThan(1e-6);
    expect(worst(fused.out, cpu.out)).toBeLessThan(1e-6);
    expect(gpu.shaderWarnings()).toEqual([]);
  });
});
