/**
 * Conv2DBackpropInput for the webgpu backend as a tiled implicit GEMM (conv-gemm.ts). TF.js's GEMM program for it
 * loses to a plain loop below 32 channels, so it runs its naive kernel for every shape; small CNNs live there.
 *   dx[m, ci] = Σ_k A[m, k] · B[k, ci],  m = (b·H + ih)·W + iw,  k = (kh·KW + kw)·CO + co,
 *   A[m, k] = dy[b, oh, ow, co] where oh·sh = ih + padTop − kh and ow·sw = iw + padLeft − kw (0 where no output
 *   pixel's window puts tap (kh, kw) on this input pixel),  B[k, ci] = W[kh, kw, ci, co].
 *
 * NHWC float32 only; NCHW and inputs too large for one dispatch go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { convGemmKernel, type GemmOperands } from './conv-gemm';

function operands(i: tf.backend_util.Conv2DInfo): GemmOperands {
  const co = i.outChannels;
  return {
    // r = m: this thread's input pixel, shifted by the padding.
    rowSetup: `
      let iw = r % ${i.inWidth};
      let rest = r / ${i.inWidth};
      let ih = rest % ${i.inHeight};
      let batch = rest / ${i.inHeight};
      let ihp = ih + ${i.padInfo.top};
      let iwp = iw + ${i.padInfo.left};`,
    colSetup: '',
    // q = k: a filter tap and output channel, read by both operands.
    reductionSetup: `
      let co = q % ${co};
      let tap = q / ${co};`,
    readA: `
      let ohs = ihp - tap / ${i.filterWidth};
      let ows = iwp - tap % ${i.filterWidth};
      if (ohs >= 0 && ows >= 0 && ohs % ${i.strideHeight} == 0 && ows % ${i.strideWidth} == 0) {
        let oh = ohs / ${i.strideHeight};
        let ow = ows / ${i.strideWidth};
        if (oh < ${i.outHeight} && ow < ${i.outWidth}) {
          a = dy[((batch * ${i.outHeight} + oh) * ${i.outWidth} + ow) * ${co} + co];
        }
      }`,
    readB: `b = W[(tap * ${i.inChannels} + c) * ${co} + co];`,
  };
}

export const conv2dBackpropInputKernel = convGemmKernel({
  kernelName: 'Conv2DBackpropInput',
  inputs: { dy: 'dy', filter: 'W' },
  layer: ({ filter }, attrs) => {
    const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    return tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  },
  shape: (i) => ({ dimR: i.batchSize * i.inHeight * i.inWidth, dimC: i.inChannels, dimQ: i.filterHeight * i.filterWidth * i.outChannels }),
  outShape: (i) => i.inShape,
  operands,
  splitReduction: false,
});
