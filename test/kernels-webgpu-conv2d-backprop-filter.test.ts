/**
 * The project's Conv2DBackpropFilter for webgpu (tiled implicit GEMM, split over the batch×pixels reduction)
 * against the stock webgpu kernel and the cpu backend. Node + Dawn on SwiftShader; shapes are tiny.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { KernelSet } from '../src/engine/kernels/kernel-sets';
import { registerProjectKernels } from '../src/engine/kernels/register';
import { Rng } from '../src/engine/util/rng';
import { useNodeWebGPU } from './helpers/node-webgpu';

const gpu = useNodeWebGPU({ selectBackend: true });

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  name: string;
  x: Shape4;
  filter: Shape4;
  stride: number;
  pad: Pad;
}

const CASES: Case[] = [
  { name: '3×3 stride 1 same', x: [2, 6, 6, 3], filter: [3, 3, 3, 5], stride: 1, pad: 'same' },
  { name: '3×3 stride 2 same, odd size', x: [2, 7, 7, 4], filter: [3, 3, 4, 6], stride: 2, pad: 'same' },
  { name: '3×3 stride 1 valid', x: [1, 6, 5, 2], filter: [3, 3, 2, 3], stride: 1, pad: 'valid' },
  { name: '3×3 stride 2 valid', x: [2, 7, 6, 3], filter: [3, 3, 3, 4], stride: 2, pad: 'valid' },
  { name: '1×1 stride 2 (residual shortcut)', x: [2, 6, 6, 8], filter: [1, 1, 8, 16], stride: 2, pad: 'same' },
  { name: '1×1 stride 1', x: [2, 4, 4, 5], filter: [1, 1, 5, 7], stride: 1, pad: 'valid' },
  { name: 'explicit padding', x: [1, 5, 5, 2], filter: [3, 3, 2, 3], stride: 1, pad: [[0, 0], [2, 0], [1, 2], [0, 0]] },
  // More than one 32×32 output tile in both directions, and a reduction long enough to be split across workgroups.
  { name: 'several tiles, split reduction', x: [2, 16, 16, 5], filter: [3, 3, 5, 40], stride: 1, pad: 'same' },
];

function randn(n: number, purpose: string): Float32Array {
  const rng = new Rng(7, purpose);
  return Float32Array.from({ length: n }, () => rng.normal());
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function dyShape(c: Case): Shape4 {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.stride, 1, c.pad);
  return [c.x[0], info.outHeight, info.outWidth, c.filter[3]];
}

/** dW on one backend (and, on webgpu, one kernel set); inputs are rebuilt there from the same numbers. */
async function filterGrad(c: Case, backend: 'cpu' | 'webgpu', set: KernelSet = 'custom'): Promise<Float32Array> {
  await tf.setBackend(backend);
  if (backend === 'webgpu') registerProjectKernels('webgpu', set);
  const dys = dyShape(c);
  const x = tf.tensor4d(randn(size(c.x), `x-${c.name}`), c.x);
  const dy = tf.tensor4d(randn(size(dys), `dy-${c.name}`), dys);
  const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter } as unknown as tf.NamedAttrMap) as tf.Tensor;
  expect(dw.shape).toEqual(c.filter);
  const values = (await dw.data()) as Float32Array;
  tf.dispose([x, dy, dw]);
  return values;
}

function relError(a: Float32Array, ref: Float32Array): number {
  let diff = 0;
  let scale = 0;
  ref.forEach((r, i) => {
    diff = Math.max(diff, Math.abs(a[i] - r));
    scale = Math.max(scale, Math.abs(r));
  });
  return diff / Math.max(scale, 1e-12);
}

describe('webgpu Conv2DBackpropFilter (custom kernel)', () => {
  it.each(CASES)('$name: matches the stock webgpu kernel and cpu', async (c) => {
    const custom = await filterGrad(c, 'webgpu', 'custom');
    const stock = await filterGrad(c, 'webgpu', 'stock');
    const cpu = await filterGrad(c, 'cpu');
    expect(relError(custom, cpu)).toBeLessThan(1e-5);
    expect(relError(custom, stock)).toBeLessThan(1e-5);
    expect(gpu.shaderWarnings()).toEqual([]);
  });

  it('is what tf.grad of a convolution uses, releases its buffers, and gives the same gradient as stock', async () => {
    await tf.setBackend('webgpu');
    const run = async (set: KernelSet) => {
      registerProjectKernels('webgpu', set);
      const x = tf.tensor4d(randn(2 * 9 * 9 * 3, 'grad-x'), [2, 9, 9, 3]);
      const w = tf.tensor4d(randn(3 * 3 * 3 * 4, 'grad-w'), [3, 3, 3, 4]);
      const before = { tensors: tf.memory().numTensors, buffers: tf.engine().backend.numDataIds() };
      const g = tf.grad((wt: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, wt as tf.Tensor4D, 2, 'same'))))(w);
      const values = (await g.data()) as Float32Array;
      g.dispose();
      expect(tf.memory().numTensors).toBe(before.tensors);
      expect(tf.engine().backend.numDataIds()).toBe(before.buffers);
      tf.dispose([x, w]);
      return values;
    };
    const custom = await run('custom');
    const stock = await run('stock');
    expect(relError(custom, stock)).toBeLessThan(1e-5);
    registerProjectKernels('webgpu', 'custom');
  });

  it('leaves NCHW to the stock kernel', async () => {
    await tf.setBackend('webgpu');
    const run = async (set: KernelSet) => {
      registerProjectKernels('webgpu', set);
      const x = tf.tensor4d(randn(1 * 2 * 5 * 5, 'nchw-x'), [1, 2, 5, 5]);
      const dy = tf.tensor4d(randn(1 * 3 * 5 * 5, 'nchw-dy'), [1, 3, 5, 5]);
      const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] } as unknown as tf.NamedAttrMap) as tf.Tensor;
      const values = (await dw.data()) as Float32Array;
      tf.dispose([x, dy, dw]);
      return values;
    };
    expect(Array.from(await run('custom'))).toEqual(Array.from(await run('stock')));
    registerProjectKernels('webgpu', 'custom');
  });
});
