/**
 * Conv2DBackpropFilter for the webgpu backend as a tiled implicit GEMM (conv-gemm.ts):
 *   dW[k, n] = Σ_m A[k, m] · dy[m, n],  k = (kh·KW + kw)·CI + ci,  n = co,  m = (b·OH + oh)·OW + ow,
 *   A[k, m] = x[b, oh·sh − padTop + kh, ow·sw − padLeft + kw, ci] (0 in the padding).
 * The stock kernel gives each output element one thread that walks all of m alone (50k steps for cnn-small at
 * batch 64), so few threads run long serial loops with scattered reads. The output has few elements, so the
 * reduction over m is also split across workgroups (fixed-order second pass).
 *
 * Handles NHWC with any stride, padding and filter size (dilation is always 1 for this kernel); NCHW goes to the
 * stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { ProjectKernel } from '../project-kernel';
import { fitsConvGemm, runConvGemm, type GemmOperands } from './conv-gemm';

function operands(i: tf.backend_util.Conv2DInfo): GemmOperands {
  return {
    // r = k: the filter tap and input channel this thread stages.
    rowSetup: `
      let ci = r % ${i.inChannels};
      let tap = r / ${i.inChannels};
      let kh = tap / ${i.filterWidth};
      let kw = tap % ${i.filterWidth};`,
    colSetup: '',
    // q = m: an output pixel.
    readA: `
      let ow = q % ${i.outWidth};
      let rest = q / ${i.outWidth};
      let oh = rest % ${i.outHeight};
      let batch = rest / ${i.outHeight};
      let ih = oh * ${i.strideHeight} - ${i.padInfo.top} + kh;
      let iw = ow * ${i.strideWidth} - ${i.padInfo.left} + kw;
      if (ih >= 0 && ih < ${i.inHeight} && iw >= 0 && iw < ${i.inWidth}) {
        a = x[((batch * ${i.inHeight} + ih) * ${i.inWidth} + iw) * ${i.inChannels} + ci];
      }`,
    readB: `b = dy[q * ${i.outChannels} + c];`,
  };
}

function filterGrad(backend: WebGPUBackend, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | null {
  const shape = {
    dimR: info.filterHeight * info.filterWidth * info.inChannels,
    dimC: info.outChannels,
    dimQ: info.batchSize * info.outHeight * info.outWidth,
  };
  if (!fitsConvGemm(shape)) return null;
  return runConvGemm(backend, {
    key: 'filterGrad',
    inputs: [
      { name: 'x', tensor: x },
      { name: 'dy', tensor: dy },
    ],
    operands: operands(info),
    layer: info,
    shape,
    outShape: info.filterShape,
    splitReduction: true,
  });
}

export const conv2dBackpropFilterKernel: ProjectKernel = {
  kernelName: 'Conv2DBackpropFilter',
  role: 'custom',
  make(stock) {
    return ((args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
      const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      const channelsLast = attrs.dataFormat !== 'NCHW' && x.dtype === 'float32' && dy.dtype === 'float32';
      const info = channelsLast
        ? tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast')
        : null;
      const out = info ? filterGrad(args.backend as WebGPUBackend, x, dy, info) : null;
      if (out) return out;
      if (!stock) throw new Error('Conv2DBackpropFilter: no stock webgpu kernel to fall back to');
      return stock.kernelFunc(args as never);
    }) as unknown as tf.KernelFunc;
  },
};
