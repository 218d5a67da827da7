/** Convolution shapes for the kernel parity tests: strides, paddings, 1×1, odd sizes, several output tiles. */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { KernelSet } from '../../src/engine/kernels/kernel-sets';
import { registerProjectKernels } from '../../src/engine/kernels/register';
import { Rng } from '../../src/engine/util/rng';

export type Shape4 = [number, number, number, number];
export type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

export interface ConvCase {
  name: string;
  x: Shape4;
  filter: Shape4;
  stride: number;
  pad: Pad;
}

export const CONV_CASES: ConvCase[] = [
  { name: '3×3 stride 1 same', x: [2, 6, 6, 3], filter: [3, 3, 3, 5], stride: 1, pad: 'same' },
  { name: '3×3 stride 2 same, odd size', x: [2, 7, 7, 4], filter: [3, 3, 4, 6], stride: 2, pad: 'same' },
  { name: '3×3 stride 1 valid', x: [1, 6, 5, 2], filter: [3, 3, 2, 3], stride: 1, pad: 'valid' },
  { name: '3×3 stride 2 valid', x: [2, 7, 6, 3], filter: [3, 3, 3, 4], stride: 2, pad: 'valid' },
  { name: '1×1 stride 2 (residual shortcut)', x: [2, 6, 6, 8], filter: [1, 1, 8, 16], stride: 2, pad: 'same' },
  { name: '1×1 stride 1', x: [2, 4, 4, 5], filter: [1, 1, 5, 7], stride: 1, pad: 'valid' },
  { name: 'explicit padding', x: [1, 5, 5, 2], filter: [3, 3, 2, 3], stride: 1, pad: [[0, 0], [2, 0], [1, 2], [0, 0]] },
  // More than one 32×32 output tile in both directions, and a reduction long enough to be split across workgroups.
  { name: 'several tiles, split reduction', x: [2, 16, 16, 5], filter: [3, 3, 5, 40], stride: 1, pad: 'same' },
  // A single input channel (the first layer) and a reduction longer than one 32-wide slice.
  { name: 'one input channel', x: [3, 9, 9, 1], filter: [3, 3, 1, 8], stride: 1, pad: 'same' },
  { name: '64 channels in and out', x: [1, 5, 5, 64], filter: [3, 3, 64, 64], stride: 1, pad: 'same' },
];

export function randn(n: number, purpose: string): Float32Array {
  const rng = new Rng(7, purpose);
  return Float32Array.from({ length: n }, () => rng.normal());
}

export const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

export function dyShape(c: ConvCase): Shape4 {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.stride, 1, c.pad);
  return [c.x[0], info.outHeight, info.outWidth, c.filter[3]];
}

/** max |a − ref| / max |ref|. */
export function relError(a: Float32Array, ref: Float32Array): number {
  let diff = 0;
  let scale = 0;
  ref.forEach((r, i) => {
    diff = Math.max(diff, Math.abs(a[i] - r));
    scale = Math.max(scale, Math.abs(r));
  });
  return diff / Math.max(scale, 1e-12);
}

/**
 * The gradient of Σ conv2d(x, w)² (stride 2, same) with respect to x or w on webgpu with one kernel set, checking
 * that no tensor or GPU buffer is left behind.
 */
export async function convGradient(set: KernelSet, wrt: 'x' | 'w'): Promise<Float32Array> {
  await tf.setBackend('webgpu');
  registerProjectKernels('webgpu', set);
  const x = tf.tensor4d(randn(2 * 9 * 9 * 3, 'grad-x'), [2, 9, 9, 3]);
  const w = tf.tensor4d(randn(3 * 3 * 3 * 4, 'grad-w'), [3, 3, 3, 4]);
  const before = { tensors: tf.memory().numTensors, buffers: tf.engine().backend.numDataIds() };
  const loss = (xt: tf.Tensor4D, wt: tf.Tensor4D) => tf.sum(tf.square(tf.conv2d(xt, wt, 2, 'same')));
  const g = wrt === 'x' ? tf.grad((t: tf.Tensor) => loss(t as tf.Tensor4D, w))(x) : tf.grad((t: tf.Tensor) => loss(x, t as tf.Tensor4D))(w);
  const values = (await g.data()) as Float32Array;
  g.dispose();
  expect(tf.memory().numTensors).toBe(before.tensors);
  expect(tf.engine().backend.numDataIds()).toBe(before.buffers);
  tf.dispose([x, w]);
  return values;
}
