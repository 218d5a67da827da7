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
import { convGemmKernel, type GemmOperands } from './conv-gemm';

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

export const conv2dBackpropFilterKernel = convGemmKernel({
  kernelName: 'Conv2DBackpropFilter',
  inputs: { x: 'x', dy: 'dy' },
  layer: ({ x }, attrs) => {
    const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    return tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  },
  shape: (i) => ({ dimR: i.filterHeight * i.filterWidth * i.inChannels, dimC: i.outChannels, dimQ: i.batchSize * i.outHeight * i.outWidth }),
  outShape: (i) => i.filterShape,
  operands,
  // The output (the filter) has few blocks: the long reduction over batch × pixels is split across workgroups.
  splitReduction: true,
});
