/**
 * Conv2DBackpropFilter for the TF.js wasm backend.
 *
 * TF.js 4.22.0's wasm backend registers no Conv2DBackpropFilter kernel, so it cannot take the gradient of a
 * convolution with respect to its filter, and missing kernels do not fall back to another backend. This module
 * supplies one, built from the backend's own kernels (Transpose, Conv2D, Slice) so the heavy work runs in
 * XNNPACK.
 *
 * The filter gradient is itself a convolution:
 *   dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·sh + kh·dh − padTop, ow·sw + kw·dw − padLeft, ci] · dy[b,oh,ow,co]
 * With the input channels as the batch and the batch as the channels, that is x as [CI,H,W,B] convolved with
 * dy as an [OH,OW,B,CO] filter, where the forward stride becomes the dilation and the forward dilation the
 * stride. The result, [CI,≥KH,≥KW,CO], is cropped and transposed to [KH,KW,CI,CO].
 *
 * The wasm Conv2D kernel (unlike the public op) accepts stride > 1 together with dilation > 1, which this
 * needs when a forward convolution is both strided and dilated; that was checked against the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { ProjectKernel } from '../project-kernel';
import { backpropConv2DInfo, checkDyShape, type WithDilations } from './conv-backprop-info';
import { runWasmKernel as runKernelOf, type ExplicitPadding } from './run-kernel';

type TensorInfo = tf.TensorInfo;

const KERNEL_NAME = 'Conv2DBackpropFilter';
const runWasmKernel = (name: string, inputs: tf.NamedTensorInfoMap, backend: tf.KernelBackend, attrs: tf.NamedAttrMap = {}) =>
  runKernelOf(KERNEL_NAME, name, inputs, backend, attrs);


function conv2DBackpropFilterWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const backend = args.backend as tf.KernelBackend;
  const { x, dy } = args.inputs as { x?: TensorInfo; dy?: TensorInfo };
  if (x === undefined || dy === undefined) {
    throw new Error(`${KERNEL_NAME} needs inputs x and dy`);
  }
  const attrs = (args.attrs ?? {}) as unknown as WithDilations<tf.Conv2DBackpropFilterAttrs>;
  const { filterShape } = attrs;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`${KERNEL_NAME} on wasm supports float32 only, got x ${x.dtype} and dy ${dy.dtype}`);
  }

  const { info, channelsLast } = backpropConv2DInfo(attrs, x.shape as [number, number, number, number], filterShape);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;

  checkDyShape(KERNEL_NAME, dy, info, channelsLast);

  if (batchSize === 0 || outHeight === 0 || outWidth === 0) {
    return runWasmKernel('Fill', {}, backend, { shape: filterShape, value: 0, dtype: 'float32' });
  }

  // Rows the forward pass reads, counted from the first padded row. With 'ceil' rounding it can run past the
  // forward's own bottom pad, and with 'valid' it can stop short of the input's end: pad the bottom only as
  // far as needed and crop any extra output rows afterwards. Same for columns.
  const spanH = (outHeight - 1) * strideHeight + (filterHeight - 1) * dilationHeight + 1;
  const spanW = (outWidth - 1) * strideWidth + (filterWidth - 1) * dilationWidth + 1;
  const padBottom = Math.max(0, spanH - padTop - inHeight);
  const padRight = Math.max(0, spanW - padLeft - inWidth);

  const temps: TensorInfo[] = [];
  try {
    // x → [CI, H, W, B]: input channels become the batch, the batch becomes the channels.
    const xT = runWasmKernel('Transpose', { x }, backend, { perm: channelsLast ? [3, 1, 2, 0] : [1, 2, 3, 0] });
    temps.push(xT);
    // dy → [OH, OW, B, CO]: an OH×OW filter from B channels to CO channels.
    const dyT = runWasmKernel('Transpose', { x: dy }, backend, { perm: channelsLast ? [1, 2, 0, 3] : [2, 3, 0, 1] });
    temps.push(dyT);

    const explicitPad: ExplicitPadding = [
      [0, 0],
      [padTop, padBottom],
      [padLeft, padRight],
      [0, 0],
    ];
    const conv = runWasmKernel('Conv2D', { x: xT, filter: dyT }, backend, {
      strides: [dilationHeight, dilationWidth],
      dilations: [strideHeight, strideWidth],
      pad: explicitPad,
      dataFormat: 'NHWC',
    });
    temps.push(conv);

    let cropped = conv;
    if (conv.shape[1] !== filterHeight || conv.shape[2] !== filterWidth) {
      cropped = runWasmKernel('Slice', { x: conv }, backend, {
        begin: [0, 0, 0, 0],
        size: [inChannels, filterHeight, filterWidth, outChannels],
      });
      temps.push(cropped);
    }

    // [CI, KH, KW, CO] → [KH, KW, CI, CO].
    return runWasmKernel('Transpose', { x: cropped }, backend, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/** Always on: without it the wasm backend cannot train a convolution at all. */
export const conv2dBackpropFilterWasmKernel: ProjectKernel = {
  kernelName: KERNEL_NAME,
  role: 'always',
  make: () => conv2DBackpropFilterWasm as tf.KernelFunc,
};
