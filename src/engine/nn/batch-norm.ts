import * as tf from '@tensorflow/tfjs';
import type { ForwardContext } from '../quant/quantizers';
import type { ParamStore } from './params';

/**
 * Batch normalisation over the last axis. Training: batch statistics, and running averages updated
 * (PyTorch's convention: running ← (1−m)·running + m·batch, unbiased variance). Eval: running averages.
 */
export class BatchNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;

  constructor(
    store: ParamStore,
    readonly name: string,
    channels: number,
    private readonly momentum = 0.1,
    private readonly epsilon = 1e-5,
  ) {
    this.gamma = store.add(`${name}/gamma`, 'bn-gamma', tf.ones([channels]));
    this.beta = store.add(`${name}/beta`, 'bn-beta', tf.zeros([channels]));
    this.runningMean = store.addBuffer(`${name}/mean`, tf.zeros([channels]));
    this.runningVar = store.addBuffer(`${name}/var`, tf.ones([channels]));
  }

  forward<T extends tf.Tensor>(x: T, ctx: ForwardContext): T {
    if (!ctx.training) return this.normalize(x, this.runningMean, this.runningVar);
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const { mean, variance } = tf.moments(x, axes);
    if (ctx.calibrate || ctx.updateStats) {
      const n = x.size / x.shape[x.shape.length - 1];
      // LSQ's calibration batch also starts the running averages, so eval mode (and a teacher that copies them)
      // is sensible from the first step instead of normalising with the initial 0/1.
      const m = ctx.calibrate ? 1 : this.momentum;
      tf.tidy(() => {
        const bv = tf.mul(variance, n / Math.max(n - 1, 1));
        this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
        this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(bv, m)));
      });
    }
    return this.normalize(x, mean, variance);
  }

  /**
   * (x − mean)·γ/sqrt(var + ε) + β from broadcasting ops. tf.batchNorm's gradient tiles mean and variance to the
   * full activation shape, which dominated a wasm training step; broadcasting gradients reduce instead.
   */
  private normalize<T extends tf.Tensor>(x: T, mean: tf.Tensor, variance: tf.Tensor): T {
    const scale = tf.mul(tf.rsqrt(tf.add(variance, this.epsilon)), this.gamma);
    return tf.add(tf.mul(tf.sub(x, mean), scale), this.beta) as T;
  }
}
