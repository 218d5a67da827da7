import { DEFAULT_AUGMENT, type AugmentConfig } from '../augment/config';
import type { ConsistencyKind } from '../cr/consistency-loss';
import type { TeacherConfig } from '../cr/ema-teacher';
import { LAMBDA_SCHEDULES, type LambdaSchedule } from '../cr/lambda-schedule';
import type { ModelName } from '../models/types';
import { checkBits, FP32_QUANT, type QuantConfig } from '../quant/config';
import type { OptimizerConfig } from './optimizers';

export const METHODS = ['fp32', 'lsq', 'lsq+cr', 'lsq+kd'] as const;
export type Method = (typeof METHODS)[number];

/** Consistency Regularization (lsq+cr) and the distillation baseline (lsq+kd, which uses λ, τ and the loss kind). */
export interface CrConfig {
  lambda: LambdaSchedule;
  temperature: number;
  consistency: ConsistencyKind;
  /** Unlabeled images per labeled image in a step (0: labeled images only). */
  unlabeledRatio: number;
  teacher: TeacherConfig;
}

/** Everything that defines a training run: plain data, defaults in one place, overridable from CLI or UI. */
export interface TrainConfig {
  model: ModelName;
  method: Method;
  quant: QuantConfig;
  optimizer: OptimizerConfig;
  /** Augmentation of every training view (both views of CR, the single view of the other methods). */
  augment: AugmentConfig;
  cr: CrConfig;
  /** Peak learning rate of the cosine schedule. */
  lr: number;
  warmupSteps: number;
  batchSize: number;
  steps: number;
  /** Size of the labeled training subset (stratified); the rest of the training split is unlabeled. */
  labeled: number;
  /** Held out of the training split for model choices; never trained on. */
  validation: number;
  /** Evaluate on the test split every N steps (0: only at the end). */
  evalEvery: number;
  /** Test images used for periodic evaluation (0: the whole split). The final evaluation always uses all. */
  evalSamples: number;
  seed: number;
}

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  model: 'mlp',
  method: 'lsq',
  quant: { wbits: 4, abits: 4, firstLastBits: 8, perChannel: false },
  optimizer: { name: 'sgd', momentum: 0.9, weightDecay: 5e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
  augment: DEFAULT_AUGMENT,
  // The classroom preset's CR settings (the page's default; chosen on a validation split, README).
  cr: {
    lambda: { kind: 'sigmoid', max: 3, rampSteps: 300 },
    temperature: 1,
    consistency: 'kl',
    unlabeledRatio: 1,
    teacher: { decay: 0.98, quantized: true, bnStats: 'own' },
  },
  lr: 0.05,
  warmupSteps: 0,
  batchSize: 64,
  steps: 300,
  labeled: 1000,
  validation: 0,
  evalEvery: 100,
  evalSamples: 0,
  seed: 0,
};

export type TrainConfigInput = Partial<Omit<TrainConfig, 'quant' | 'optimizer' | 'cr' | 'augment'>> & {
  augment?: Partial<AugmentConfig>;
  quant?: Partial<QuantConfig>;
  optimizer?: Partial<OptimizerConfig>;
  cr?: Partial<Omit<CrConfig, 'lambda' | 'teacher'>> & { lambda?: Partial<LambdaSchedule>; teacher?: Partial<TeacherConfig> };
};

function positiveInt(v: number, what: string, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${what} must be an integer ≥ ${min}, got ${v}`);
}

/** Fills defaults and checks ranges; fp32 runs are never quantized whatever bits were given. */
export function resolveConfig(input: TrainConfigInput = {}): TrainConfig {
  const d = DEFAULT_TRAIN_CONFIG;
  const cfg: TrainConfig = {
    ...d,
    ...input,
    quant: { ...d.quant, ...input.quant },
    optimizer: { ...d.optimizer, ...input.optimizer },
    augment: { ...d.augment, ...input.augment },
    cr: {
      ...d.cr,
      ...input.cr,
      lambda: { ...d.cr.lambda, ...input.cr?.lambda },
      teacher: { ...d.cr.teacher, ...input.cr?.teacher },
    },
  };
  if (cfg.method === 'fp32') cfg.quant = { ...FP32_QUANT, perChannel: cfg.quant.perChannel };
  checkBits(cfg.quant.wbits, 'weight bits');
  checkBits(cfg.quant.abits, 'activation bits');
  checkBits(cfg.quant.firstLastBits, 'first/last-layer bits');
  positiveInt(cfg.batchSize, 'batch size');
  positiveInt(cfg.steps, 'steps');
  positiveInt(cfg.labeled, 'labeled subset size');
  positiveInt(cfg.validation, 'validation size', 0);
  positiveInt(cfg.evalEvery, 'evaluation interval', 0);
  positiveInt(cfg.evalSamples, 'evaluation samples', 0);
  positiveInt(cfg.warmupSteps, 'warm-up steps', 0);
  if (!(cfg.lr > 0 && Number.isFinite(cfg.lr))) throw new RangeError(`learning rate must be a positive number, got ${cfg.lr}`);
  if (!(cfg.optimizer.weightDecay >= 0)) throw new RangeError(`weight decay must be ≥ 0, got ${cfg.optimizer.weightDecay}`);
  if (!(cfg.optimizer.momentum >= 0 && cfg.optimizer.momentum < 1)) throw new RangeError(`momentum must be in [0, 1), got ${cfg.optimizer.momentum}`);
  if (!Number.isInteger(cfg.seed)) throw new RangeError(`seed must be an integer, got ${cfg.seed}`);
  const cr = cfg.cr;
  if (!LAMBDA_SCHEDULES.includes(cr.lambda.kind)) throw new RangeError(`λ schedule must be one of ${LAMBDA_SCHEDULES.join(', ')}, got ${cr.lambda.kind}`);
  if (!(cr.lambda.max >= 0 && Number.isFinite(cr.lambda.max))) throw new RangeError(`λ_max must be ≥ 0, got ${cr.lambda.max}`);
  positiveInt(cr.lambda.rampSteps, 'λ ramp steps', 0);
  if (!(cr.temperature > 0)) throw new RangeError(`temperature must be > 0, got ${cr.temperature}`);
  if (cr.consistency !== 'kl' && cr.consistency !== 'mse') throw new RangeError(`consistency loss must be kl or mse, got ${cr.consistency}`);
  if (!(cr.unlabeledRatio >= 0 && Number.isFinite(cr.unlabeledRatio))) throw new RangeError(`unlabeled ratio must be ≥ 0, got ${cr.unlabeledRatio}`);
  if (!(cr.teacher.decay >= 0 && cr.teacher.decay < 1)) throw new RangeError(`EMA decay must be in [0, 1), got ${cr.teacher.decay}`);
  const a = cfg.augment;
  if (!(a.translate >= 0 && Number.isInteger(a.translate) && a.noise >= 0 && a.cutout >= 0 && Number.isInteger(a.cutout))) {
    throw new RangeError('augmentation: translate and cutout are whole pixels ≥ 0, noise ≥ 0');
  }
  return cfg;
}
