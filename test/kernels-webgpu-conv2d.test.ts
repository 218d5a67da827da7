/**
 * The project's Conv2D and Conv2DBackpropInput for webgpu (tiled implicit GEMMs, conv-gemm.ts) against the stock
 * webgpu kernels and the cpu backend, NaN kept as NaN, NCHW left to stock. Node + Dawn on SwiftShader; tiny shapes.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { KernelSet } from '../src/engine/kernels/kernel-sets';
import { registerProjectKernels } from '../src/engine/kernels/register';
import { countLaunches } from '../src/engine/kernels/webgpu/launch-counter';
import { CONV_CASES, convGradient, dyShape, randn, relError, size, type ConvCase } from './helpers/conv-cases';
import { useNodeWebGPU } from './helpers/node-webgpu';

const gpu = useNodeWebGPU({ selectBackend: true });

type Where = 'cpu' | KernelSet;

async function on(where: Where): Promise<void> {
  await tf.setBackend(where === 'cpu' ? 'cpu' : 'webgpu');
  if (where !== 'cpu') registerProjectKernels('webgpu', where);
}

/** Runs one kernel on fresh inputs built from the same numbers; `poison` puts a NaN at that index of the first input. */
async function runKernel(where: Where, name: string, inputs: Record<string, [Float32Array, number[]]>, attrs: object): Promise<{ values: Float32Array; shape: number[] }> {
  await on(where);
  const tensors = Object.fromEntries(Object.entries(inputs).map(([k, [v, s]]) => [k, tf.tensor(v, s)]));
  const out = tf.engine().runKernel(name, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const values = (await out.data()) as Float32Array;
  const shape = out.shape;
  tf.dispose([...Object.values(tensors), out]);
  return { values, shape };
}

interface ForwardCase extends ConvCase {
  dilation?: number;
}

const FORWARD_CASES: ForwardCase[] = [...CONV_CASES, { name: '3×3 dilation 2 same', x: [2, 9, 8, 3], filter: [3, 3, 3, 4], stride: 1, pad: 'same', dilation: 2 }];

function forwardInputs(c: ConvCase, poison?: number): Record<string, [Float32Array, number[]]> {
  const x = randn(size(c.x), `x-${c.name}`);
  if (poison !== undefined) x[poison] = NaN;
  return { x: [x, c.x], filter: [randn(size(c.filter), `w-${c.name}`), c.filter] };
}

const forwardAttrs = (c: ForwardCase) => ({ strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: c.dilation ?? 1 });

function inputGradInputs(c: ConvCase, poison?: number): Record<string, [Float32Array, number[]]> {
  const dys = dyShape(c);
  const dy = randn(size(dys), `dy-${c.name}`);
  if (poison !== undefined) dy[poison] = NaN;
  return { dy: [dy, dys], filter: [randn(size(c.filter), `w-${c.name}`), c.filter] };
}

const inputGradAttrs = (c: ConvCase) => ({ strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x });

/** Where the values are NaN, as a list of indices. */
const nanAt = (v: Float32Array) => Array.from(v.keys()).filter((i) => Number.isNaN(v[i]));

interface KernelUnderTest {
  kernel: 'Conv2D' | 'Conv2DBackpropInput';
  cases: ForwardCase[];
  inputs: (c: ConvCase, poison?: number) => Record<string, [Float32Array, number[]]>;
  attrs: (c: ForwardCase) => object;
  /** An index of the first input whose NaN reaches some outputs in CONV_CASES[1]. */
  poison: number;
}

const UNDER_TEST: KernelUnderTest[] = [
  { kernel: 'Conv2D', cases: FORWARD_CASES, inputs: forwardInputs, attrs: forwardAttrs, poison: 17 },
  { kernel: 'Conv2DBackpropInput', cases: CONV_CASES, inputs: inputGradInputs, attrs: inputGradAttrs, poison: 5 },
];

describe.each(UNDER_TEST)('webgpu $kernel (custom kernel)', ({ kernel, cases, inputs, attrs, poison }) => {
  it.each(cases)('$name: matches the stock webgpu kernel and cpu', async (c) => {
    const custom = await runKernel('custom', kernel, inputs(c), attrs(c));
    const stock = await runKernel('stock', kernel, inputs(c), attrs(c));
    const cpu = await runKernel('cpu', kernel, inputs(c), attrs(c));
    expect(custom.shape).toEqual(cpu.shape);
    expect(relError(custom.values, cpu.values)).toBeLessThan(1e-5);
    expect(relError(custom.values, stock.values)).toBeLessThan(1e-5);
    expect(gpu.shaderWarnings()).toEqual([]);
  });

  it('a NaN in the input makes exactly the outputs it reaches NaN, as on cpu', async () => {
    const c = CONV_CASES[1];
    const custom = await runKernel('custom', kernel, inputs(c, poison), attrs(c));
    const cpu = await runKernel('cpu', kernel, inputs(c, poison), attrs(c));
    expect(nanAt(custom.values).length).toBeGreaterThan(0);
    expect(nanAt(custom.values)).toEqual(nanAt(cpu.values));
  });
});

describe('webgpu Conv2D and Conv2DBackpropInput in use', () => {
  it('Conv2D is one launch for a cnn-small layer, and leaves NCHW to the stock kernel', async () => {
    const c: ConvCase = { name: 'cnn-small conv2', x: [4, 28, 28, 32], filter: [3, 3, 32, 64], stride: 1, pad: 'same' };
    await on('custom');
    const x = tf.tensor4d(randn(size(c.x), 'l-x'), c.x);
    const w = tf.tensor4d(randn(size(c.filter), 'l-w'), c.filter);
    await tf.conv2d(x, w, 1, 'same').data(); // compiles
    const counter = countLaunches()!;
    const y = tf.conv2d(x, w, 1, 'same');
    await y.data();
    expect(counter.count).toBe(1);
    counter.stop();
    tf.dispose([x, w, y]);

    const nchw = { x: [randn(2 * 5 * 5, 'nchw-x'), [1, 2, 5, 5]], filter: [randn(3 * 3 * 2 * 3, 'nchw-w'), [3, 3, 2, 3]] } as Record<string, [Float32Array, number[]]>;
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NCHW', dilations: 1 };
    expect(Array.from((await runKernel('custom', 'Conv2D', nchw, attrs)).values)).toEqual(Array.from((await runKernel('stock', 'Conv2D', nchw, attrs)).values));
    registerProjectKernels('webgpu', 'custom');
  });

  it('Conv2DBackpropInput is what tf.grad of a convolution uses for dx, releases its buffers, and gives the same gradient as stock', async () => {
    const custom = await convGradient('custom', 'x');
    const stock = await convGradient('stock', 'x');
    expect(relError(custom, stock)).toBeLessThan(1e-5);
    registerProjectKernels('webgpu', 'custom');
  });
});
