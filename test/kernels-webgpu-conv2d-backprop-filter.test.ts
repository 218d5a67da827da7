/**
 * The project's Conv2DBackpropFilter for webgpu (tiled implicit GEMM, split over the batch×pixels reduction)
 * against the stock webgpu kernel and the cpu backend. Node + Dawn on SwiftShader; shapes are tiny.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { KernelSet } from '../src/engine/kernels/kernel-sets';
import { registerProjectKernels } from '../src/engine/kernels/register';
import { CONV_CASES as CASES, convGradient, dyShape, randn, relError, size, type ConvCase as Case } from './helpers/conv-cases';
import { useNodeWebGPU } from './helpers/node-webgpu';

const gpu = useNodeWebGPU({ selectBackend: true });

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
    const custom = await convGradient('custom', 'w');
    const stock = await convGradient('stock', 'w');
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
