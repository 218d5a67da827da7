import * as tf from '@tensorflow/tfjs';
import { pair } from './run-kernel';

type Shape4 = [number, number, number, number];

/** A conv2d backprop kernel's attrs, plus `dilations`, which TF.js does not pass but the kernels honour. */
export type WithDilations<Attrs> = Attrs & {
  // Not part of the TF.js attrs (its conv2d gradient rejects dilation); honoured when a caller passes it.
  dilations?: number | [number, number];
};

type ConvAttrs = WithDilations<
  Pick<tf.Conv2DBackpropInputAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'>
>;

/** The forward convolution's geometry, as both conv2d backprop kernels read it from their attrs. */
export function backpropConv2DInfo(
  attrs: ConvAttrs,
  xShape: Shape4,
  filterShape: Shape4,
): { info: tf.backend_util.Conv2DInfo; channelsLast: boolean } {
  const { strides, pad, dataFormat, dimRoundingMode } = attrs;
  const $dataFormat = tf.backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC');
  const channelsLast = $dataFormat === 'channelsLast';
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    strides,
    pair(attrs.dilations),
    pad,
    dimRoundingMode,
    false,
    $dataFormat,
  );
  return { info, channelsLast };
}

/** Throws unless dy has the shape of the forward convolution's output. */
export function checkDyShape(
  caller: string,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  channelsLast: boolean,
): void {
  const { batchSize, outHeight, outWidth, outChannels } = info;
  const dyExpected = channelsLast
    ? [batchSize, outHeight, outWidth, outChannels]
    : [batchSize, outChannels, outHeight, outWidth];
  if (dy.shape.length !== 4 || dy.shape.some((d, i) => d !== dyExpected[i])) {
    throw new Error(`${caller}: dy has shape [${dy.shape}], expected [${dyExpected}]`);
  }
}
