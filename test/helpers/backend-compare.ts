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
