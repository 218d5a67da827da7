/**
 * The fused kernels on cpu (the 'custom' set there) against the ops' own fallbacks on cpu ('stock'): LSQ fake
 * quantization forward and backward, the SGD updates and the EMA teacher. Same arithmetic in the same order, so
 * the values must be identical, rounding ties, range edges and NaN included.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmaTeacher } from '../src/engine/cr/ema-teacher';
import { EMA_UPDATE, LSQ_FAKE_QUANT, LSQ_FAKE_QUANT_GRAD, SGD_STEP, SGD_VELOCITY } from '../src/engine/kernels/contracts';
import type { KernelSet } from '../src/engine/kernels/kernel-sets';
import { registerProjectKernels } from '../src/engine/kernels/register';
import { buildModel } from '../src/engine/models';
import type { Param, ParamKind } from '../src/engine/nn/params';
import { lsqFakeQuant, quantRange } from '../src/engine/quant/lsq';
import { resolveConfig } from '../src/engine/train/config';
import { createOptimizer } from '../src/engine/train/optimizers';
import { Rng } from '../src/engine/util/rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => registerProjectKernels('cpu', 'stock'));

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

interface LsqCase {
  name: string;
  xShape: number[];
  stepShape: number[];
  bits: number;
  signed: boolean;
  gradScale?: number;
}

const LSQ_CASES: LsqCase[] = [
  { name: 'signed 4-bit, per tensor', xShape: [3, 3, 4, 5], stepShape: [], bits: 4, signed: true },
  { name: 'signed 4-bit, per channel', xShape: [3, 3, 4, 5], stepShape: [5], bits: 4, signed: true },
  { name: 'signed 2-bit dense, per channel [1, C]', xShape: [12, 3], stepShape: [1, 3], bits: 2, signed: true, gradScale: 0.25 },
  { name: 'unsigned 2-bit, step of shape [1]', xShape: [2, 4, 4, 2], stepShape: [1], bits: 2, signed: false },
  { name: 'unsigned 8-bit, one element per channel', xShape: [6], stepShape: [6], bits: 8, signed: false },
];

/** x on rounding ties, range edges and in between, plus a NaN; steps and an upstream gradient. */
function lsqInputs(c: LsqCase) {
  const rng = new Rng(5, c.name);
  const { qn, qp } = quantRange(c.bits, c.signed);
  const channels = c.stepShape.length ? c.stepShape[c.stepShape.length - 1] : 1;
  // Powers of two keep x/s exact, so the ties are real ties.
  const steps = Float32Array.from({ length: channels }, (_, i) => 2 ** -(2 + (i % 3)));
  const x = Float32Array.from({ length: size(c.xShape) }, (_, i) => {
    const k = Math.floor(-qn - 2 + rng.uniform() * (qn + qp + 4));
    const offset = [0, 0.5, rng.uniform()][i % 3];
    return steps[i % channels] * (k + offset);
  });
  x[1] = -qn * steps[1 % channels];
  if (x.length > 4) x[4] = Number.NaN;
  const dy = Float32Array.from({ length: x.length }, () => rng.normal());
  return { x, steps, dy };
}

async function quantize(c: LsqCase, set: KernelSet) {
  registerProjectKernels('cpu', set);
  const { x, steps, dy } = lsqInputs(c);
  const [xt, st, dyt] = [tf.tensor(x, c.xShape), tf.tensor(steps, c.stepShape), tf.tensor(dy, c.xShape)];
  const q = (a: tf.Tensor, s: tf.Tensor) => lsqFakeQuant(a, s, { bits: c.bits, signed: c.signed, gradScale: c.gradScale });
  const profile = await tf.profile(() => {
    const y = q(xt, st);
    const [dx, ds] = tf.grads((a: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(q(a, s), dyt)))([xt, st]);
    return [y, dx, ds];
  });
  const [y, dx, ds] = profile.result as tf.Tensor[];
  const out = { y: Array.from(await y.data()), dx: Array.from(await dx.data()), ds: Array.from(await ds.data()), dsShape: ds.shape, kernels: profile.kernels.map((k) => k.name) };
  tf.dispose([y, dx, ds, xt, st, dyt]);
  return out;
}

describe('fused kernels on cpu', () => {
  it.each(LSQ_CASES)('LSQ $name: value, dx and step gradient equal the op fallback', async (c) => {
    const before = tf.memory().numTensors;
    const fused = await quantize(c, 'custom');
    const ops = await quantize(c, 'stock');
    expect(tf.memory().numTensors).toBe(before);
    expect(fused.kernels).toContain(LSQ_FAKE_QUANT);
    expect(fused.kernels).toContain(LSQ_FAKE_QUANT_GRAD);
    expect(ops.kernels).not.toContain(LSQ_FAKE_QUANT);
    expect(fused.dsShape).toEqual(c.stepShape);
    expect(fused.y).toEqual(ops.y);
    expect(fused.dx).toEqual(ops.dx);
    expect(fused.ds).toEqual(ops.ds);
  });

  const PARAMS: { name: string; kind: ParamKind; shape: number[] }[] = [
    { name: 'w', kind: 'weight', shape: [3, 3, 2, 4] },
    { name: 'b', kind: 'bias', shape: [4] },
    { name: 's', kind: 'step', shape: [4] },
  ];

  async function sgdSteps(set: KernelSet) {
    registerProjectKernels('cpu', set);
    const rng = new Rng(8, 'sgd');
    const params: Param[] = PARAMS.map((p) => ({
      name: p.name,
      kind: p.kind,
      variable: tf.variable(tf.tensor(Float32Array.from({ length: size(p.shape) }, () => (p.kind === 'step' ? 0.01 + 0.01 * rng.uniform() : rng.normal())), p.shape)),
    }));
    const opt = createOptimizer(params, resolveConfig({ optimizer: { momentum: 0.9, weightDecay: 5e-4 } }).optimizer);
    const grads = new Rng(9, 'grads');
    const profile = await tf.profile(() => {
      for (let step = 0; step < 3; step++) {
        const g: Record<string, tf.Tensor> = {};
        // A NaN gradient on one step size: the floored step must keep it.
        for (const p of params) g[p.variable.name] = tf.tensor(Float32Array.from({ length: p.variable.size }, (_, i) => (p.kind === 'step' && i === 3 ? Number.NaN : grads.normal() + (p.kind === 'step' ? 0.5 : 0))), p.variable.shape);
        opt.apply(g, 0.05);
        tf.dispose(Object.values(g));
      }
    });
    const out = await Promise.all(params.map(async (p) => Array.from(await p.variable.data())));
    opt.dispose();
    params.forEach((p) => p.variable.dispose());
    return { out, kernels: profile.kernels.map((k) => k.name) };
  }

  it('SGD with momentum, weight decay and the step floor equals the op fallback', async () => {
    const fused = await sgdSteps('custom');
    const ops = await sgdSteps('stock');
    expect(fused.kernels.filter((k) => k === SGD_VELOCITY)).toHaveLength(3 * PARAMS.length);
    expect(fused.kernels.filter((k) => k === SGD_STEP)).toHaveLength(3 * PARAMS.length);
    expect(ops.kernels).not.toContain(SGD_STEP);
    expect(Number.isNaN(fused.out[2][3])).toBe(true);
    expect(Math.min(...fused.out[2].slice(0, 3))).toBeCloseTo(1e-6, 9);
    expect(fused.out).toEqual(ops.out);
  });

  it('the EMA teacher update equals the op fallback', async () => {
    const run = async (set: KernelSet) => {
      registerProjectKernels('cpu', set);
      const cfg = resolveConfig({ model: 'mlp', quant: { wbits: 4, abits: 4 } });
      const student = buildModel({ name: 'mlp', inputShape: [4, 4, 1], numClasses: 3, quant: cfg.quant, seed: 1 });
      const teacher = new EmaTeacher(student, cfg.cr.teacher);
      const rng = new Rng(4, 'ema');
      for (const p of student.params) p.variable.assign(tf.tidy(() => tf.add(p.variable, tf.tensor(Float32Array.from({ length: p.variable.size }, () => rng.normal()), p.variable.shape))));
      const profile = await tf.profile(() => {
        teacher.update();
        teacher.update();
      });
      const out = await Promise.all(teacher.model.params.map(async (p) => Array.from(await p.variable.data())));
      const launches = profile.kernels.filter((k) => k.name === EMA_UPDATE).length;
      const params = teacher.model.params.length;
      teacher.dispose();
      student.dispose();
      return { out, launches, params };
    };
    const fused = await run('custom');
    const ops = await run('stock');
    expect(fused.launches).toBe(2 * fused.params);
    expect(ops.launches).toBe(0);
    expect(fused.out).toEqual(ops.out);
  });
});
