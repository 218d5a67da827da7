import * as tf from '@tensorflow/tfjs';
import { EVAL_CTX, type Model } from '../models/types';
import type { Param } from '../nn/params';
import { PatternTape } from '../nn/pattern-tape';
import type { Operator } from './lanczos';

export interface HvpOptions {
  /** Relative size of the difference step; ε = epsilon · max(1, rms(w)) for a unit-norm v. */
  epsilon?: number;
}

export interface Hvp {
  /** The product with the Hessian of the loss, for a vector over all chosen parameters (their order, flattened). */
  hvp: Operator;
  dim: number;
  /** Gradient evaluations done so far (two per product). */
  readonly gradients: number;
  /** Frees the saved copy of the parameters. */
  dispose(): void;
}

/** Reads variables into one flat vector, in order. */
export async function flattenParams(vars: readonly tf.Variable[]): Promise<Float32Array> {
  const parts = await Promise.all(vars.map((v) => v.data() as Promise<Float32Array>));
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Hessian-vector products of `loss` with respect to `vars` by central differences of gradients,
 * Hv ≈ (∇L(w + εv) − ∇L(w − εv)) / 2ε. TF.js cannot differentiate twice through this project's models (no gradient
 * for the conv and pooling gradients, and a wrong one through softmax), so second derivatives come from first ones.
 * The variables are put back to their exact original values after every product.
 */
export function finiteDifferenceHvp(vars: readonly tf.Variable[], loss: () => tf.Scalar, opts: HvpOptions = {}): Hvp {
  const sizes = vars.map((v) => v.size);
  const dim = sizes.reduce((a, b) => a + b, 0);
  const originals = vars.map((v) => tf.keep(v.clone()));
  let gradients = 0;
  // Sized on the first product, with one asynchronous read (synchronous reads are slow in a Worker and missing on
  // WebGPU in Node).
  let eps: number | null = null;
  const stepSize = async (): Promise<number> => {
    if (eps === null) {
      const sumSq = tf.tidy(() => tf.sum(tf.stack(originals.map((o) => tf.sum(tf.square(o))))));
      const rms = Math.sqrt((await sumSq.data())[0] / Math.max(1, dim));
      sumSq.dispose();
      eps = (opts.epsilon ?? 1e-3) * Math.max(1, rms);
    }
    return eps;
  };

  const shift = (v: Float32Array, scale: number) => {
    let o = 0;
    vars.forEach((variable, i) => {
      const n = sizes[i];
      tf.tidy(() => variable.assign(tf.add(originals[i], tf.mul(tf.tensor(v.subarray(o, o + n), variable.shape), scale))));
      o += n;
    });
  };
  const restore = () => vars.forEach((variable, i) => variable.assign(originals[i]));
  const gradient = async (): Promise<Float32Array> => {
    gradients++;
    const g = tf.tidy(() => {
      const { grads } = tf.variableGrads(loss, [...vars]);
      // A variable the loss does not reach (a step size held constant by a recorded pattern) has gradient 0.
      return tf.concat(vars.map((v) => tf.reshape(grads[v.name] ?? tf.zerosLike(v), [-1])));
    });
    const out = (await g.data()) as Float32Array;
    g.dispose();
    return out;
  };

  const hvp: Operator = async (v) => {
    if (v.length !== dim) throw new RangeError(`vector of length ${v.length}, the operator has ${dim}`);
    const e = await stepSize();
    try {
      shift(v, e);
      const plus = await gradient();
      shift(v, -e);
      const minus = await gradient();
      const out = new Float32Array(dim);
      for (let i = 0; i < dim; i++) out[i] = (plus[i] - minus[i]) / (2 * e);
      return out;
    } finally {
      restore();
    }
  };
  return {
    hvp,
    dim,
    get gradients() {
      return gradients;
    },
    dispose: () => tf.dispose(originals),
  };
}

/** Which parameters the Hessian is taken over: every trainable one but LSQ step sizes, unless asked. */
export function hessianParams(model: Model, includeSteps = false): Param[] {
  return model.params.filter((p) => includeSteps || p.kind !== 'step');
}

/**
 * The Hessian of the mean cross-entropy on one fixed batch (no augmentation), the model in eval mode (BatchNorm on
 * its running statistics), over the model's parameters. The ReLU gates, max-pool winners and LSQ rounding of the
 * current weights are recorded once and held fixed, so the products are those of the smooth piece of the loss the
 * model sits on: the Hessian that double backpropagation (with the straight-through estimator) computes. Without
 * that, a difference step that flips a gate or crosses a rounding boundary adds a jump divided by ε. With
 * `includeSteps` the step sizes join the parameters but stay constants of the recorded rounding.
 * Call `dispose` to free the saved originals and the recording.
 */
export function modelHvp(
  model: Model,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  numClasses: number,
  opts: HvpOptions & { includeSteps?: boolean; /** Only these parameters (one layer's block); the rest stay fixed. */ params?: readonly Param[] } = {},
): Hvp {
  const vars = (opts.params ?? hessianParams(model, opts.includeSteps)).map((p) => p.variable);
  const tape = new PatternTape();
  tf.tidy(() => {
    model.forward(x, { ...EVAL_CTX, tape });
  });
  const loss = () => {
    tape.replay();
    return tf.losses.softmaxCrossEntropy(tf.oneHot(y, numClasses), model.forward(x, { ...EVAL_CTX, tape })) as tf.Scalar;
  };
  return alsoDisposing(finiteDifferenceHvp(vars, loss, opts), () => tape.dispose());
}

/** The same products, with more to free on dispose (the inputs they were built on). */
export function alsoDisposing(h: Hvp, free: () => void): Hvp {
  return {
    hvp: h.hvp,
    dim: h.dim,
    get gradients() {
      return h.gradients;
    },
    dispose: () => {
      h.dispose();
      free();
    },
  };
}
