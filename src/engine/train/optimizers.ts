import * as tf from '@tensorflow/tfjs';
import { hasKernel, SGD_STEP, SGD_VELOCITY } from '../kernels/webgpu/fused-update-names';
import type { Param } from '../nn/params';

export type OptimizerName = 'sgd' | 'adam';

export interface OptimizerConfig {
  name: OptimizerName;
  /** SGD momentum (PyTorch form: v ← μv + g, w ← w − lr·v). */
  momentum: number;
  /** L2 weight decay, applied to weights only (not biases, BatchNorm or step sizes). */
  weightDecay: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface Optimizer {
  /** Applies one update with the given learning rate. Consumes nothing: the caller disposes the gradients. */
  apply(grads: Record<string, tf.Tensor>, lr: number): void;
  dispose(): void;
}

const STEP_FLOOR = 1e-6;

/** Writes the new value; step sizes stay positive, since a zero or negative step has no meaning. */
function assignUpdated(p: Param, value: tf.Tensor): void {
  p.variable.assign(p.kind === 'step' ? tf.maximum(value, STEP_FLOOR) : value);
}

function decayed(p: Param, g: tf.Tensor, wd: number): tf.Tensor {
  return wd > 0 && p.kind === 'weight' ? tf.add(g, tf.mul(p.variable, wd)) : g;
}

/** Written out (rather than tf.train.*) so the learning rate can change every step and decay skips non-weights. */
class Sgd implements Optimizer {
  private readonly velocity = new Map<string, tf.Variable>();

  constructor(private readonly params: readonly Param[], private readonly cfg: OptimizerConfig) {}

  private velocityOf(p: Param): tf.Variable {
    let v = this.velocity.get(p.variable.name);
    if (!v) {
      v = tf.variable(tf.zerosLike(p.variable), false);
      this.velocity.set(p.variable.name, v);
    }
    return v;
  }

  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    // Backends with the fused update kernels do a parameter in two launches instead of six or seven.
    const fused = this.cfg.momentum > 0 && hasKernel(SGD_VELOCITY) && hasKernel(SGD_STEP);
    tf.tidy(() => {
      for (const p of this.params) {
        const g0 = grads[p.variable.name];
        if (!g0) continue;
        if (fused) {
          const v = this.velocityOf(p);
          const weightDecay = p.kind === 'weight' ? this.cfg.weightDecay : 0;
          v.assign(tf.engine().runKernel(SGD_VELOCITY, { v, g: g0, w: p.variable }, { momentum: this.cfg.momentum, weightDecay }) as tf.Tensor);
          p.variable.assign(tf.engine().runKernel(SGD_STEP, { w: p.variable, u: v }, { lr, floor: STEP_FLOOR, hasFloor: p.kind === 'step' }) as tf.Tensor);
          continue;
        }
        const g = decayed(p, g0, this.cfg.weightDecay);
        let update = g;
        if (this.cfg.momentum > 0) {
          const v = this.velocityOf(p);
          v.assign(tf.add(tf.mul(v, this.cfg.momentum), g));
          update = v;
        }
        assignUpdated(p, tf.sub(p.variable, tf.mul(update, lr)));
      }
    });
  }

  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
  }
}

class Adam implements Optimizer {
  private readonly moments = new Map<string, { m: tf.Variable; v: tf.Variable }>();
  private t = 0;

  constructor(private readonly params: readonly Param[], private readonly cfg: OptimizerConfig) {}

  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    this.t++;
    const { beta1, beta2, epsilon } = this.cfg;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    tf.tidy(() => {
      for (const p of this.params) {
        const g0 = grads[p.variable.name];
        if (!g0) continue;
        const g = decayed(p, g0, this.cfg.weightDecay);
        let s = this.moments.get(p.variable.name);
        if (!s) {
          s = { m: tf.variable(tf.zerosLike(p.variable), false), v: tf.variable(tf.zerosLike(p.variable), false) };
          this.moments.set(p.variable.name, s);
        }
        s.m.assign(tf.add(tf.mul(s.m, beta1), tf.mul(g, 1 - beta1)));
        s.v.assign(tf.add(tf.mul(s.v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const update = tf.div(tf.div(s.m, c1), tf.add(tf.sqrt(tf.div(s.v, c2)), epsilon));
        assignUpdated(p, tf.sub(p.variable, tf.mul(update, lr)));
      }
    });
  }

  dispose(): void {
    for (const s of this.moments.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.moments.clear();
  }
}

export function createOptimizer(params: readonly Param[], cfg: OptimizerConfig): Optimizer {
  return cfg.name === 'adam' ? new Adam(params, cfg) : new Sgd(params, cfg);
}
