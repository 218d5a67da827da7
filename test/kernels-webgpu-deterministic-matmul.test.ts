/**
 * Matrix products on webgpu sum in a fixed order: a product with a long inner dimension (which TF.js would split
 * across atomic adds) repeats bit for bit, and agrees with cpu. Node + Dawn on SwiftShader.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { takesSplitK } from '../src/engine/kernels/webgpu/deterministic-matmul';
import { Rng } from '../src/engine/util/rng';
import { useNodeWebGPU } from './helpers/node-webgpu';

const gpu = useNodeWebGPU({ selectBackend: true });

function values(n: number, seed: number): Float32Array {
  const r = new Rng(seed, 'matmul');
  return Float32Array.from({ length: n }, () => r.uniform() * 2 - 1);
}

async function product(backend: 'cpu' | 'webgpu', a: Float32Array, b: Float32Array, k: number, fused: boolean): Promise<Float32Array> {
  await tf.setBackend(backend);
  const ta = tf.tensor2d(a, [16, k]);
  const tb = tf.tensor2d(b, [k, 64]);
  const bias = tf.zeros([64]);
  const y = fused ? tf.fused.matMul({ a: ta, b: tb, bias, activation: 'relu' }) : tf.matMul(ta, tb);
  const out = (await y.data()) as Float32Array;
  tf.dispose([ta, tb, bias, y]);
  return out;
}

describe('deterministic matrix products on webgpu', () => {
  it('names the case TF.js splits: one batch, a long inner dimension, few output tiles', () => {
    expect(takesSplitK([16, 3136], [3136, 64], false, false, 8)).toBe(true);
    expect(takesSplitK([16, 1999], [1999, 64], false, false, 8)).toBe(false);
    expect(takesSplitK([2, 16, 3136], [2, 3136, 64], false, false, 8)).toBe(false);
    expect(takesSplitK([512, 3136], [3136, 512], false, false, 8)).toBe(false);
    expect(takesSplitK([3136, 16], [64, 3136], true, true, 8)).toBe(true);
  });

  it('a 16×3136 by 3136×64 product (plain and fused) repeats bit for bit and matches cpu', async () => {
    const k = 3136;
    const a = values(16 * k, 1);
    const b = values(k * 64, 2);
    for (const fused of [false, true]) {
      const runs = [];
      for (let i = 0; i < 4; i++) runs.push(Array.from(await product('webgpu', a, b, k, fused)));
      for (const r of runs.slice(1)) expect(r).toEqual(runs[0]);
      const cpu = await product('cpu', a, b, k, fused);
      for (let i = 0; i < cpu.length; i += 97) expect(runs[0][i]).toBeCloseTo(cpu[i], 3);
    }
    await tf.setBackend('webgpu');
    expect(gpu.shaderWarnings()).toEqual([]);
  });
});
