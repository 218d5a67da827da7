import type * as tf from '@tensorflow/tfjs';
import type { Param } from '../nn/params';
import type { QuantConfig } from '../quant/config';
import type { ForwardContext } from '../quant/quantizers';
import type { ModelName } from '../vocabulary/models';

export { MODEL_NAMES, type ModelName } from '../vocabulary/models';

export interface ModelSpec {
  name: ModelName;
  /** [height, width, channels] of one image. */
  inputShape: [number, number, number];
  numClasses: number;
  quant: QuantConfig;
  /** Seeds the weight initialisation. */
  seed: number;
}

/** A quantized classifier: images (NHWC, normalised) in, logits out. */
export interface Model {
  readonly spec: ModelSpec;
  readonly params: readonly Param[];
  readonly buffers: readonly { name: string; variable: tf.Variable }[];
  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D;
  /** Marks activation quantizers as initialised (for a copy whose steps come from another model). */
  markCalibrated(): void;
  dispose(): void;
}

export const TRAIN_CTX: ForwardContext = { training: true, updateStats: true, calibrate: false };
export const EVAL_CTX: ForwardContext = { training: false, updateStats: false, calibrate: false };
export const CALIBRATE_CTX: ForwardContext = { training: true, updateStats: false, calibrate: true };
/** A second training-mode forward that must not move BatchNorm's running averages (unlabeled images). */
export const TRAIN_NO_STATS_CTX: ForwardContext = { training: true, updateStats: false, calibrate: false };
