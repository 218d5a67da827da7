import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_APPLY, BATCH_NORM_GRAD, BATCH_NORM_RUNNING, BATCH_NORM_STATS } from '../kernels/contracts';
import { hasKernels, runFused } from '../kernels/run-fused';
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
    const fused = x.dtype === 'float32' && hasKernels(BATCH_NORM_STATS, BATCH_NORM_APPLY, BATCH_NORM_GRAD, BATCH_NORM_RUNNING);
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const { mean, variance } = fused ? batchStats(x) : tf.moments(x, axes);
    if (ctx.calibrate || ctx.updateStats) {
      const n = x.size / x.shape[x.shape.length - 1];
      // LSQ's calibration batch also starts the running averages, so eval mode (and a teacher that copies them)
      // is sensible from the first step instead of normalising with the initial 0/1.
      const m = ctx.calibrate ? 1 : this.momentum;
      const unbiased = n / Math.max(n - 1, 1);
      tf.tidy(() => {
        if (fused) {
          // One launch per running average instead of three or four.
          this.runningMean.assign(runFused(BATCH_NORM_RUNNING, { running: this.runningMean, batch: mean }, { momentum: m, scale: 1 }));
          this.runningVar.assign(runFused(BATCH_NORM_RUNNING, { running: this.runningVar, batch: variance }, { momentum: m, scale: unbiased }));
          return;
        }
        const bv = tf.mul(variance, unbiased);
        this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
        this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(bv, m)));
      });
    }
    return fused ? this.fusedNormalize(x, mean, variance) : this.normalize(x, mean, variance);
  }

  /** The same map through the active backend's fused kernels, differentiated as the batch statistics' own. */
  private fusedNormalize<T extends tf.Tensor>(x: T, mean: tf.Tensor, variance: tf.Tensor): T {
    const epsilon = this.epsilon;
    const apply = tf.customGrad((xIn, gIn, bIn, save) => {
      const inputs = { x: xIn as tf.Tensor, mean, variance, gamma: gIn as tf.Tensor, beta: bIn as tf.Tensor };
      (save as tf.GradSaveFunc)([inputs.x, mean, variance, inputs.gamma]);
      return {
        value: runFused(BATCH_NORM_APPLY, inputs, { epsilon }),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
          runFused(BATCH_NORM_GRAD, { dy, x: saved[0], mean: saved[1], variance: saved[2], gamma: saved[3] }, { epsilon }),
      };
    });
    return apply(x, this.gamma, this.beta) as T;
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

/**
 * Mean and biased variance per channel from the fused kernel. No gradient flows through them here: the fused
 * backward differentiates through the statistics itself.
 */
function batchStats(x: tf.Tensor): { mean: tf.Tensor; variance: tf.Tensor } {
  const [mean, variance] = runFused(BATCH_NORM_STATS, { x }, {});
  return { mean, variance };
}
