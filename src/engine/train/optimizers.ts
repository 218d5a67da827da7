import * as tf from '@tensorflow/tfjs';
import { SGD_STEP, SGD_VELOCITY } from '../kernels/contracts';
import { hasKernels, runFused } from '../kernels/run-fused';
import type { Param } from '../nn/params';
import type { OptimizerConfig } from '../vocabulary/train-config';

export type { OptimizerName } from '../vocabulary/optimizers';
/**
 * SGD momentum in PyTorch's form (v ← μv + g, w ← w − lr·v); L2 weight decay applies to weights only (not biases,
 * BatchNorm or step sizes); beta1, beta2 and epsilon are Adam's.
 */
export type { OptimizerConfig } from '../vocabulary/train-config';

/** An optimizer's buffers by parameter name ("fc1/w:velocity"), and its update count: what a checkpoint keeps. */
export interface OptimizerState {
  t: number;
  slots: Record<string, Float32Array>;
}

export interface Optimizer {
  /** Applies one update with the given learning rate. Consumes nothing: the caller disposes the gradients. */
  apply(grads: Record<string, tf.Tensor>, lr: number): void;
  state(): Promise<OptimizerState>;
  /** Continues from a saved state (of an optimizer of the same kind over the same parameters). */
  restore(s: OptimizerState): void;
  dispose(): void;
}

/** Reads slot variables out by parameter name: TF.js variable names differ from one session to the next. */
async function readSlots(params: readonly Param[], slots: Map<string, Record<string, tf.Variable>>): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const p of params) {
    const s = slots.get(p.variable.name);
    if (!s) continue;
    for (const [kind, v] of Object.entries(s)) out[`${p.name}:${kind}`] = (await v.data()) as Float32Array;
  }
  return out;
}

/** Creates each parameter's slot variables from a saved state; a slot the state lacks stays unborn (zero). */
function writeSlots(params: readonly Param[], saved: Record<string, Float32Array>, kinds: readonly string[], make: (p: Param) => Record<string, tf.Variable>, slots: Map<string, Record<string, tf.Variable>>): void {
  for (const p of params) {
    if (!kinds.some((k) => saved[`${p.name}:${k}`])) continue;
    const s = slots.get(p.variable.name) ?? make(p);
    for (const k of kinds) {
      const data = saved[`${p.name}:${k}`];
      if (!data) continue;
      if (data.length !== p.variable.size) throw new RangeError(`a checkpoint's ${p.name}:${k} holds ${data.length} values, the parameter ${p.variable.size}`);
      tf.tidy(() => s[k].assign(tf.tensor(data, p.variable.shape)));
    }
  }
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
  private readonly velocity = new Map<string, { velocity: tf.Variable }>();

  constructor(private readonly params: readonly Param[], private readonly cfg: OptimizerConfig) {}

  private velocityOf(p: Param): tf.Variable {
    let v = this.velocity.get(p.variable.name);
    if (!v) {
      v = { velocity: tf.variable(tf.zerosLike(p.variable), false) };
      this.velocity.set(p.variable.name, v);
    }
    return v.velocity;
  }

  async state(): Promise<OptimizerState> {
    return { t: 0, slots: await readSlots(this.params, this.velocity) };
  }

  restore(s: OptimizerState): void {
    writeSlots(this.params, s.slots, ['velocity'], (p) => (this.velocityOf(p), this.velocity.get(p.variable.name)!), this.velocity);
  }

  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    // Backends with the fused update kernels do a parameter in two launches instead of six or seven.
    const fused = this.cfg.momentum > 0 && hasKernels(SGD_VELOCITY, SGD_STEP);
    tf.tidy(() => {
      for (const p of this.params) {
        const g0 = grads[p.variable.name];
        if (!g0) continue;
        if (fused) {
          const v = this.velocityOf(p);
          const weightDecay = p.kind === 'weight' ? this.cfg.weightDecay : 0;
          v.assign(runFused(SGD_VELOCITY, { v, g: g0, w: p.variable }, { momentum: this.cfg.momentum, weightDecay }));
          p.variable.assign(runFused(SGD_STEP, { w: p.variable, u: v }, { lr, floor: STEP_FLOOR, hasFloor: p.kind === 'step' }));
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
    for (const v of this.velocity.values()) v.velocity.dispose();
    this.velocity.clear();
  }
}

class Adam implements Optimizer {
  private readonly moments = new Map<string, { m: tf.Variable; v: tf.Variable }>();
  private t = 0;

  constructor(private readonly params: readonly Param[], private readonly cfg: OptimizerConfig) {}

  private momentsOf(p: Param): { m: tf.Variable; v: tf.Variable } {
    let s = this.moments.get(p.variable.name);
    if (!s) {
      s = { m: tf.variable(tf.zerosLike(p.variable), false), v: tf.variable(tf.zerosLike(p.variable), false) };
      this.moments.set(p.variable.name, s);
    }
    return s;
  }

  async state(): Promise<OptimizerState> {
    return { t: this.t, slots: await readSlots(this.params, this.moments) };
  }

  restore(s: OptimizerState): void {
    this.t = s.t;
    writeSlots(this.params, s.slots, ['m', 'v'], (p) => this.momentsOf(p), this.moments);
  }

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
        const s = this.momentsOf(p);
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
