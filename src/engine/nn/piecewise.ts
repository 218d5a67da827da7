import * as tf from '@tensorflow/tfjs';
import { RELU_GRAD } from '../kernels/contracts';
import { hasKernels, runFused } from '../kernels/run-fused';
import type { ForwardContext } from '../quant/quantizers';

/** tf.relu with its gradient from the backend's fused kernel: one launch instead of Step and Multiply. */
function fusedRelu<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad((xIn, save) => {
    const xt = xIn as tf.Tensor;
    (save as tf.GradSaveFunc)([xt]);
    return { value: tf.relu(xt), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => runFused(RELU_GRAD, { dy, x: saved[0] }, {}) };
  });
  return f(x) as T;
}

/** ReLU; with a pattern tape, its gate is recorded or replayed. */
export function relu<T extends tf.Tensor>(x: T, ctx: ForwardContext): T {
  const tape = ctx.tape;
  if (!tape) return x.dtype === 'float32' && hasKernels(RELU_GRAD) ? fusedRelu(x) : tf.relu(x);
  if (tape.mode === 'record') {
    tape.put(tf.cast(tf.greater(x, 0), 'float32'));
    return tf.relu(x);
  }
  return tf.mul(x, tape.next()) as T;
}

/**
 * 2×2 max pooling, stride 2 ('valid'). With a pattern tape the winner of each window is recorded (the first
 * maximum in row-major order, the rule of the cpu backend and of this project's WebGPU kernel) and replayed, so
 * the output is a fixed selection of inputs.
 */
export function maxPool2(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
  const tape = ctx.tape;
  if (!tape) return tf.maxPool(x, 2, 2, 'valid');
  const [n, h, w, c] = x.shape;
  const h2 = Math.floor(h / 2);
  const w2 = Math.floor(w / 2);
  // Windows as a last axis of 4: [n, h2, w2, c, 4].
  const cropped = h2 * 2 === h && w2 * 2 === w ? x : tf.slice(x, [0, 0, 0, 0], [n, h2 * 2, w2 * 2, c]);
  const windows = tf.reshape(tf.transpose(tf.reshape(cropped, [n, h2, 2, w2, 2, c]), [0, 1, 3, 5, 2, 4]), [n, h2, w2, c, 4]);
  if (tape.mode === 'record') {
    const isMax = tf.cast(tf.equal(windows, tf.max(windows, 4, true)), 'float32');
    const first = tf.mul(isMax, tf.cast(tf.equal(tf.cumsum(isMax, 4), 1), 'float32'));
    tape.put(first);
    return tf.maxPool(x, 2, 2, 'valid');
  }
  return tf.sum(tf.mul(windows, tape.next()), 4) as tf.Tensor4D;
}
