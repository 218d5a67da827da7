import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { Rng } from '../../src/engine/util/rng';

export type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
export type Shape4 = [number, number, number, number];
export type Result = { shape: number[]; values: Float32Array };

export const TOL = 1e-4;

export function randn(n: number, seed: string, purpose: string): Float32Array {
  const rng = new Rng(seed, purpose);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Runs `fn` on one backend, inputs built inside from plain arrays so no tensor crosses backends. */
export async function on(backend: 'cpu' | 'wasm', fn: () => tf.Tensor | tf.Tensor[]): Promise<Result[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(fn);
  const list = Array.isArray(outs) ? outs : [outs];
  const results = list.map((t) => ({ shape: t.shape.slice(), values: t.dataSync() as Float32Array }));
  tf.dispose(list);
  return results;
}

/** max |a − ref| relative to max |ref|. */
export function relError(a: Float32Array, ref: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return diff / Math.max(scale, 1e-12);
}

export function expectClose(got: Result, ref: Result): void {
  expect(got.shape).toEqual(ref.shape);
  // An all-zero reference would make the comparison vacuous.
  expect(ref.values.some((v) => v !== 0)).toBe(true);
  expect(got.values.length).toBe(ref.values.length);
  expect(relError(got.values, ref.values)).toBeLessThan(TOL);
}

/** Runs `fn` on cpu and on wasm and expects every output to match. */
export async function cpuVsWasm(fn: () => tf.Tensor | tf.Tensor[]): Promise<void> {
  const ref = await on('cpu', fn);
  const got = await on('wasm', fn);
  expect(got.length).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) expectClose(got[i], ref[i]);
}

/** An explicit, asymmetric padding. */
export const explicitPad: Pad = [
  [0, 0],
  [1, 2],
  [2, 0],
  [0, 0],
];

/** Padding wider than a kernel reaches. */
export const widePad: Pad = [
  [0, 0],
  [6, 0],
  [0, 5],
  [0, 0],
];

/** The output (dy) shape of the forward convolution a conv2d gradient case describes. */
export function dyShape(c: {
  xShape: Shape4;
  filterShape: Shape4;
  stride: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}): Shape4 {
  const info = tf.backend_util.computeConv2DInfo(c.xShape, c.filterShape, c.stride, 1, c.pad, c.dimRoundingMode);
  return info.outShape;
}

/**
 * The whole gradient of a tiny conv net (conv, bias, relu, max-pool, then `convsAfterPool` relu convs — all but the
 * last stride 1 'same', the last stride 2 with explicit padding — mean-pool, dense, softmax cross-entropy) matches
 * between cpu and wasm.
 */
export async function expectTinyConvNetGradientMatchesCpu(
  randn: (n: number, seed: string) => Float32Array,
  convsAfterPool: number,
): Promise<void> {
  const xShape: Shape4 = [4, 10, 10, 3];
  const x = randn(size(xShape), 'net-x');
  const f1 = randn(3 * 3 * 3 * 6, 'net-f1').map((v) => v * 0.3);
  const b1 = randn(6, 'net-b1').map((v) => v * 0.1);
  const convShapes: Shape4[] = [];
  const convs: Float32Array[] = [];
  for (let i = 0; i < convsAfterPool; i++) {
    const shape: Shape4 = [3, 3, i === 0 ? 6 : 5, 5];
    convShapes.push(shape);
    convs.push(randn(size(shape), `net-f${i + 2}`).map((v) => v * 0.2));
  }
  const wDense = randn(5 * 3, `net-w${convsAfterPool + 2}`).map((v) => v * 0.5);
  const labels = tf.util.flatten([
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
    [0, 1, 0],
  ]) as number[];
  await cpuVsWasm(() => {
    const params = [
      tf.tensor4d(x, xShape),
      tf.tensor4d(f1, [3, 3, 3, 6]),
      tf.tensor1d(b1),
      ...convs.map((f, i) => tf.tensor4d(f, convShapes[i])),
      tf.tensor2d(wDense, [5, 3]),
    ];
    const y = tf.tensor2d(labels, [4, 3]);
    const loss = (...p: tf.Tensor[]) => {
      const [xi, c1, bias] = p as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D];
      const cs = p.slice(3, 3 + convsAfterPool) as tf.Tensor4D[];
      const dense = p[3 + convsAfterPool] as tf.Tensor2D;
      let h = tf.relu(tf.add<tf.Tensor4D>(tf.conv2d(xi, c1, 1, 'same'), bias));
      h = tf.maxPool(h, 2, 2, 'valid');
      cs.forEach((c, i) => {
        h =
          i === cs.length - 1
            ? tf.relu(tf.conv2d(h, c, 2, [[0, 0], [1, 0], [0, 1], [0, 0]]))
            : tf.relu(tf.conv2d(h, c, 1, 'same'));
      });
      const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
      return tf.losses.softmaxCrossEntropy(y, tf.matMul(pooled, dense));
    };
    return tf.grads(loss)(params);
  });
}

/**
 * Runs `step` 3 times to warm up, then `repeats` more times, and expects tensors, bytes, backend buffers and the
 * wasm heap unchanged across the repeats. The wasm backend must be the current one.
 */
export function expectWasmMemoryFlat(step: () => void, repeats: number): void {
  const backend = tf.backend() as unknown as { numDataIds(): number; wasm: { HEAPU8: Uint8Array } };
  for (let i = 0; i < 3; i++) step();
  const before = { ...tf.memory(), dataIds: backend.numDataIds(), heap: backend.wasm.HEAPU8.byteLength };
  for (let i = 0; i < repeats; i++) step();
  const after = { ...tf.memory(), dataIds: backend.numDataIds(), heap: backend.wasm.HEAPU8.byteLength };
  expect(after.numTensors).toBe(before.numTensors);
  expect(after.numBytes).toBe(before.numBytes);
  expect(after.dataIds).toBe(before.dataIds);
  expect(after.heap).toBe(before.heap);
}
