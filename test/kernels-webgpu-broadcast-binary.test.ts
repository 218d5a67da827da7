/**
 * The per-channel broadcasting Multiply, Add and Sub for webgpu against the stock webgpu kernels and cpu.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerProjectKernels } from '../src/engine/kernels/register';
import { Rng } from '../src/engine/util/rng';
import { useNodeWebGPU } from './helpers/node-webgpu';

const gpu = useNodeWebGPU({ selectBackend: true });

const OPS = { mul: tf.mul, add: tf.add, sub: tf.sub } as const;

/** `fast`: the project's kernel runs (else it hands the call to the stock kernel). */
const CASES: { name: string; a: number[]; b: number[]; fast: boolean }[] = [
  { name: 'activation × per-channel [C], C divisible by 4', a: [2, 16, 16, 8], b: [8], fast: true },
  { name: 'activation × per-channel [C], odd C', a: [2, 19, 19, 7], b: [7], fast: true },
  { name: 'activation × [1, 1, 1, C]', a: [2, 16, 16, 8], b: [1, 1, 1, 8], fast: true },
  { name: 'per-channel [C] × activation', a: [8], b: [2, 16, 16, 8], fast: true },
  { name: 'activation × scalar', a: [2, 16, 16, 8], b: [], fast: true },
  { name: 'scalar × activation, odd size', a: [], b: [3, 41, 37], fast: true },
  { name: 'same shapes', a: [2, 16, 16, 8], b: [2, 16, 16, 8], fast: true },
  { name: 'same size, extra leading one', a: [1, 2, 16, 16, 8], b: [2, 16, 16, 8], fast: true },
  { name: 'outer product (stock fallback)', a: [64, 1], b: [1, 64], fast: false },
  { name: 'small (stock fallback)', a: [4, 8], b: [8], fast: false },
];

const size = (s: number[]) => s.reduce((x, y) => x * y, 1);

function values(shape: number[], purpose: string): Float32Array {
  const rng = new Rng(5, purpose);
  return Float32Array.from({ length: size(shape) }, () => rng.normal());
}

async function run(op: keyof typeof OPS, c: (typeof CASES)[number], backend: 'cpu' | 'webgpu', set: 'stock' | 'custom' = 'custom') {
  await tf.setBackend(backend);
  if (backend === 'webgpu') registerProjectKernels('webgpu', set);
  const a = tf.tensor(values(c.a, `${c.name}-a`), c.a);
  const b = tf.tensor(values(c.b, `${c.name}-b`), c.b);
  const profile = await tf.profile(() => OPS[op](a, b));
  const out = profile.result as tf.Tensor;
  const programs = profile.kernels.map((k) => String(k.extraInfo)).join(' ');
  const result = { shape: out.shape, values: Array.from(await out.data()), programs };
  tf.dispose([a, b, out]);
  return result;
}

describe('broadcasting Multiply, Add, Sub on webgpu', () => {
  for (const op of Object.keys(OPS) as (keyof typeof OPS)[]) {
    it.each(CASES)(`${op}: $name gives the stock kernel's and cpu's values`, async (c) => {
      const custom = await run(op, c, 'webgpu', 'custom');
      const stock = await run(op, c, 'webgpu', 'stock');
      const cpu = await run(op, c, 'cpu');
      expect(custom.programs.includes('BroadcastBinaryProgram')).toBe(c.fast);
      expect(custom.shape).toEqual(cpu.shape);
      expect(custom.values).toEqual(stock.values);
      expect(custom.values).toEqual(cpu.values);
      expect(gpu.shaderWarnings()).toEqual([]);
    });
  }
});

describe('inputs cast to float32 from int32 or bool (TF.js keeps their integer buffer)', () => {
  it('Multiply, Add and Sub and the convolution give cpu\'s values, with no shader error', async () => {
    const run = async (backend: 'cpu' | 'webgpu') => {
      await tf.setBackend(backend);
      if (backend === 'webgpu') registerProjectKernels('webgpu', 'custom');
      const ints = tf.tensor(Int32Array.from({ length: 2 * 16 * 16 * 8 }, (_, i) => (i % 7) - 3), [2, 16, 16, 8], 'int32');
      const flags = tf.greater(ints, 0);
      const f = tf.tensor(values([2, 16, 16, 8], 'cast-f'), [2, 16, 16, 8]);
      const w = tf.tensor4d(values([3, 3, 8, 4], 'cast-w'), [3, 3, 8, 4]);
      const asFloat = tf.cast(ints, 'float32');
      const outs = [tf.mul(asFloat, f), tf.add(f, tf.cast(flags, 'float32')), tf.sub(asFloat, f), tf.conv2d(asFloat as tf.Tensor4D, w, 1, 'same')];
      const got = await Promise.all(outs.map((o) => o.data()));
      tf.dispose([ints, flags, f, w, asFloat, ...outs]);
      return got.map((g) => Array.from(g as Float32Array));
    };
    const webgpu = await run('webgpu');
    const cpu = await run('cpu');
    webgpu.forEach((v, i) => v.forEach((x, j) => expect(x, `output ${i}[${j}]`).toBeCloseTo(cpu[i][j], 4)));
    expect(gpu.shaderWarnings()).toEqual([]);
  });
});
