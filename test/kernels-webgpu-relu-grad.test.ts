/**
 * ReLU's fused gradient (one pass for Step and Multiply) on webgpu and cpu against TF.js's own gradient of
 * tf.relu: exact, NaN kept as NaN, zero at x = 0. Node + Dawn on SwiftShader.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { RELU_GRAD } from '../src/engine/kernels/contracts';
import { registerProjectKernels } from '../src/engine/kernels/register';
import { hasKernels } from '../src/engine/kernels/run-fused';
import { relu } from '../src/engine/nn/piecewise';
import { useNodeWebGPU } from './helpers/node-webgpu';

const gpu = useNodeWebGPU({ selectBackend: true });
const CTX = { training: true, updateStats: false, calibrate: false };

const X = [0.5, -0.25, 0, Number.NaN, 3, -7, 1e-30, -0, 2.5, -1.5, 4, 0.125];
const DY = [1.5, 2, -3, 0.5, Number.NaN, 1, -2, 4, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, -0.75, 0];

async function gradient(backend: 'cpu' | 'webgpu', set: 'stock' | 'custom'): Promise<{ y: number[]; dx: number[]; fused: boolean }> {
  await tf.setBackend(backend);
  registerProjectKernels(backend, set);
  const x = tf.tensor2d(X, [3, 4]);
  const dy = tf.tensor2d(DY, [3, 4]);
  const fused = hasKernels(RELU_GRAD);
  const profile = await tf.profile(() => {
    const y = relu(x, CTX);
    const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(relu(a, CTX), dy)))(x);
    return [y, dx];
  });
  const [y, dx] = profile.result as tf.Tensor[];
  if (fused) expect(profile.kernels.map((k) => k.name)).toContain(RELU_GRAD);
  const out = { y: Array.from(await y.data()), dx: Array.from(await dx.data()), fused };
  tf.dispose([x, dy, y, dx]);
  registerProjectKernels(backend, backend === 'webgpu' ? 'custom' : 'stock');
  return out;
}

describe('fused ReLU gradient', () => {
  it('equals the stock gradient on webgpu and on cpu, NaN included', async () => {
    const fused = await gradient('webgpu', 'custom');
    const stock = await gradient('webgpu', 'stock');
    const cpuFused = await gradient('cpu', 'custom');
    const cpu = await gradient('cpu', 'stock');
    expect(fused.fused && cpuFused.fused).toBe(true);
    expect(stock.fused || cpu.fused).toBe(false);
    // toEqual treats NaN as equal to NaN and tells 0 from -0 only for Object.is; compare as strings for both.
    const s = (a: number[]) => a.map((v) => (Object.is(v, -0) ? '-0' : String(v)));
    expect(s(fused.dx)).toEqual(s(stock.dx));
    expect(s(fused.dx)).toEqual(s(cpu.dx));
    expect(s(cpuFused.dx)).toEqual(s(cpu.dx));
    expect(s(fused.y)).toEqual(s(stock.y));
    expect(Number.isNaN(fused.dx[3])).toBe(true);
    expect(gpu.shaderWarnings()).toEqual([]);
  });
});
