/**
 * The fused loss kernels on webgpu (cross-entropy, teacher KL, correct count) against TF.js's ops on webgpu
 * (stock set) and on cpu: values and gradients, temperatures other than 1, NaN kept as NaN, ties taken as argMax
 * takes them. Node + Dawn on SwiftShader.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { COUNT_CORRECT, SOFT_XENT, SOFT_XENT_GRAD } from '../src/engine/kernels/contracts';
import { registerProjectKernels } from '../src/engine/kernels/register';
import { hasKernels } from '../src/engine/kernels/run-fused';
import { countCorrect, crossEntropy, teacherKl } from '../src/engine/nn/softmax-losses';
import { Rng } from '../src/engine/util/rng';
import { useNodeWebGPU } from './helpers/node-webgpu';

const gpu = useNodeWebGPU({ selectBackend: true });
const ROWS = 70; // more rows than the kernels' workgroup: some threads take two
const K = 10;

function logits(seed: number, scale: number): Float32Array {
  const r = new Rng(seed, 'logits');
  return Float32Array.from({ length: ROWS * K }, () => (r.uniform() * 2 - 1) * scale);
}
const Z = logits(1, 6);
const T = logits(2, 4);
const Y = Int32Array.from({ length: ROWS }, (_, i) => (i * 7) % K);

type Out = { ce: number; dce: number[]; kl: number[]; dkl: number[][]; hits: number; fused: boolean };

async function losses(backend: 'cpu' | 'webgpu', set: 'stock' | 'custom', z: Float32Array = Z): Promise<Out> {
  await tf.setBackend(backend);
  registerProjectKernels(backend, set);
  const fused = hasKernels(SOFT_XENT, SOFT_XENT_GRAD, COUNT_CORRECT);
  const x = tf.tensor2d(z, [ROWS, K]);
  const t = tf.tensor2d(T, [ROWS, K]);
  const y = tf.tensor1d(Y, 'int32');
  const ceG = tf.valueAndGrad((a: tf.Tensor) => crossEntropy(a as tf.Tensor2D, y, K))(x);
  const kls: number[] = [];
  const dkls: number[][] = [];
  for (const tau of [1, 2.5]) {
    const g = tf.valueAndGrad((a: tf.Tensor) => teacherKl(t, a as tf.Tensor2D, tau))(x);
    kls.push((await g.value.data())[0]);
    dkls.push(Array.from(await g.grad.data()));
    tf.dispose([g.value, g.grad]);
  }
  const hits = countCorrect(x, y);
  const out: Out = { ce: (await ceG.value.data())[0], dce: Array.from(await ceG.grad.data()), kl: kls, dkl: dkls, hits: (await hits.data())[0], fused };
  tf.dispose([x, t, y, ceG.value, ceG.grad, hits]);
  registerProjectKernels(backend, backend === 'webgpu' ? 'custom' : 'stock');
  return out;
}

function close(a: number[], b: number[], tol: number) {
  expect(a.length).toBe(b.length);
  const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.max(1e-3, Math.abs(b[i]))));
  expect(worst).toBeLessThan(tol);
}

describe('fused loss kernels', () => {
  it('match the ops on webgpu and cpu: cross-entropy, KL at τ = 1 and 2.5, their gradients, the correct count', async () => {
    const fused = await losses('webgpu', 'custom');
    const stock = await losses('webgpu', 'stock');
    const cpu = await losses('cpu', 'stock');
    expect(fused.fused).toBe(true);
    expect(stock.fused || cpu.fused).toBe(false);
    for (const ref of [stock, cpu]) {
      close([fused.ce], [ref.ce], 1e-5);
      close(fused.dce, ref.dce, 1e-4);
      close(fused.kl, ref.kl, 1e-4);
      close(fused.dkl[0], ref.dkl[0], 1e-4);
      close(fused.dkl[1], ref.dkl[1], 1e-4);
      expect(fused.hits).toBe(ref.hits);
    }
    // The loss is far from trivial: a wrong sign or a missing 1/n would show.
    expect(cpu.ce).toBeGreaterThan(1);
    expect(cpu.kl[0]).toBeGreaterThan(0.1);
    expect(gpu.shaderWarnings()).toEqual([]);
  });

  it('keep NaN as NaN in the loss and in the gradient of the row it is in, and take the first of tied maxima', async () => {
    const z = Float32Array.from(Z);
    z[3 * K + 4] = Number.NaN;
    // Row 5 ties classes 2 and 6 at its maximum: argMax takes 2.
    for (let j = 0; j < K; j++) z[5 * K + j] = j === 2 || j === 6 ? 50 : 0;
    const fused = await losses('webgpu', 'custom', z);
    const cpu = await losses('cpu', 'stock', z);
    expect(Number.isNaN(fused.ce)).toBe(true);
    expect(Number.isNaN(fused.kl[0])).toBe(true);
    expect(fused.dce.slice(3 * K, 4 * K).every(Number.isNaN)).toBe(true);
    expect(fused.dkl[1].slice(3 * K, 4 * K).every(Number.isNaN)).toBe(true);
    // Rows without NaN keep finite gradients, equal to cpu's.
    close(fused.dce.slice(0, 3 * K), cpu.dce.slice(0, 3 * K), 1e-4);
    expect(fused.hits).toBe(cpu.hits);
  });
});
