/**
 * Conv2D (forward) for the webgpu backend as a tiled implicit GEMM (conv-gemm.ts), for the small channel counts of
 * the playground's CNNs (1–64 in, 16–64 out):
 *   y[m, co] = Σ_k A[m, k] · W[k, co],  m = (b·OH + oh)·OW + ow,  k = (kh·KW + kw)·CI + ci,
 *   A[m, k] = x[b, oh·sh − padTop + kh·dh, ow·sw − padLeft + kw·dw, ci] (0 in the padding).
 * The filter [KH, KW, CI, CO] is W as stored. Each thread's output pixel is decoded once, not per tap.
 *
 * NHWC float32 only; NCHW and outputs too large for one dispatch go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { ProjectKernel } from '../project-kernel';
import { fitsConvGemm, runConvGemm, type GemmOperands } from './conv-gemm';

function operands(i: tf.backend_util.Conv2DInfo): GemmOperands {
  return {
    // r = m: this thread's output pixel, and where its window starts in the input.
    rowSetup: `
      let ow = r % ${i.outWidth};
      let rest = r / ${i.outWidth};
      let oh = rest % ${i.outHeight};
      let batch = rest / ${i.outHeight};
      let ih0 = oh * ${i.strideHeight} - ${i.padInfo.top};
      let iw0 = ow * ${i.strideWidth} - ${i.padInfo.left};`,
    colSetup: '',
    // q = k: a filter tap and input channel.
    readA: `
      let ci = q % ${i.inChannels};
      let tap = q / ${i.inChannels};
      let ih = ih0 + (tap / ${i.filterWidth}) * ${i.dilationHeight};
      let iw = iw0 + (tap % ${i.filterWidth}) * ${i.dilationWidth};
      if (ih >= 0 && ih < ${i.inHeight} && iw >= 0 && iw < ${i.inWidth}) {
        a = x[((batch * ${i.inHeight} + ih) * ${i.inWidth} + iw) * ${i.inChannels} + ci];
      }`,
    readB: `b = W[q * ${i.outChannels} + c];`,
  };
}

function conv2d(backend: WebGPUBackend, x: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | null {
  const shape = {
    dimR: info.batchSize * info.outHeight * info.outWidth,
    dimC: info.outChannels,
    dimQ: info.filterHeight * info.filterWidth * info.inChannels,
  };
  if (!fitsConvGemm(shape)) return null;
  return runConvGemm(backend, {
    key: 'conv2d',
    inputs: [
      { name: 'x', tensor: x },
      { name: 'W', tensor: filter },
    ],
    operands: operands(info),
    layer: info,
    shape,
    outShape: info.outShape,
    // The output has many blocks (one per 32 pixels); the reduction is at most a few hundred long.
    splitReduction: false,
  });
}

export const conv2dKernel: ProjectKernel = {
  kernelName: 'Conv2D',
  role: 'custom',
  make(stock) {
    return ((args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
      const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
      const attrs = args.attrs as unknown as tf.Conv2DAttrs;
      const channelsLast = attrs.dataFormat !== 'NCHW' && x.dtype === 'float32' && filter.dtype === 'float32';
      const info = channelsLast
        ? tf.backend_util.computeConv2DInfo(
            x.shape as [number, number, number, number],
            filter.shape as [number, number, number, number],
            attrs.strides,
            attrs.dilations,
            attrs.pad,
            attrs.dimRoundingMode,
            false,
            'channelsLast',
          )
        : null;
      const out = info ? conv2d(args.backend as WebGPUBackend, x, filter, info) : null;
      if (out) return out;
      if (!stock) throw new Error('Conv2D: no stock webgpu kernel to fall back to');
      return stock.kernelFunc(args as never);
    }) as unknown as tf.KernelFunc;
  },
};
