/**
 * Conv2D (forward) for the webgpu backend as a tiled implicit GEMM (conv-gemm.ts), for the small channel counts of
 * the playground's CNNs (1–64 in, 16–64 out):
 *   y[m, co] = Σ_k A[m, k] · W[k, co],  m = (b·OH + oh)·OW + ow,  k = (kh·KW + kw)·CI + ci,
 *   A[m, k] = x[b, oh·sh − padTop + kh·dh, ow·sw − padLeft + kw·dw, ci] (0 in the padding).
 * The filter [KH, KW, CI, CO] is W as stored. Each thread's output pixel is decoded once, not per tap.
 *
 * NHWC float32 only; NCHW and outputs too large for one dispatch go to the stock kernel (`convGemmKernel`).
 */
import * as tf from '@tensorflow/tfjs';
import { convGemmKernel, type GemmOperands } from './conv-gemm';

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

export const conv2dKernel = convGemmKernel({
  kernelName: 'Conv2D',
  inputs: { x: 'x', filter: 'W' },
  layer: ({ x, filter }, attrs) => {
    const a = attrs as unknown as tf.Conv2DAttrs;
    type Shape4 = [number, number, number, number];
    return tf.backend_util.computeConv2DInfo(x.shape as Shape4, filter.shape as Shape4, a.strides, a.dilations, a.pad, a.dimRoundingMode, false, 'channelsLast');
  },
  shape: (i) => ({ dimR: i.batchSize * i.outHeight * i.outWidth, dimC: i.outChannels, dimQ: i.filterHeight * i.filterWidth * i.inChannels }),
  outShape: (i) => i.outShape,
  operands,
  // The output has many blocks (one per 32 pixels); the reduction is at most a few hundred long.
  splitReduction: false,
});
