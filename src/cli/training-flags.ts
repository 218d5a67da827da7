import { LAMBDA_SCHEDULES } from '../engine/cr/lambda-schedule';
import type { TrainConfig, TrainConfigInput } from '../engine/train/config';
import { bits, int, num, oneOf } from './arg-values';

/**
 * The command-line flags that set one training setting each. A flag that is not given sets nothing: the preset's
 * value, or else the engine's `DEFAULT_TRAIN_CONFIG`, stays. The defaults `--help` shows are read from that config,
 * so the CLI holds no numbers of its own.
 */
export interface TrainingFlag {
  name: string;
  /** What its value is, in `--help`; absent for a switch that takes none. */
  arg?: string;
  help: string;
  group: 'training' | 'consistency' | 'augmentation';
  /** The engine's default, as `--help` writes it. */
  shown(d: TrainConfig): string;
  /** The settings the given text stands for (a switch is given the text "true"). */
  input(v: string): TrainConfigInput;
}

const onOff = (flip: boolean | 'auto') => (flip === 'auto' ? 'auto' : flip ? 'on' : 'off');

export const TRAINING_FLAGS: readonly TrainingFlag[] = [
  {
    name: 'first-last-bits',
    arg: 'N',
    help: 'bits of the first and last layer (32: not quantized)',
    group: 'training',
    shown: (d) => String(d.quant.firstLastBits),
    input: (v) => ({ quant: { firstLastBits: bits(v, '--first-last-bits') } }),
  },
  {
    name: 'per-channel',
    help: 'one weight step per output channel',
    group: 'training',
    shown: (d) => (d.quant.perChannel ? 'on' : 'off'),
    input: () => ({ quant: { perChannel: true } }),
  },
  {
    name: 'labeled',
    arg: 'N',
    help: 'labeled training images (stratified subset)',
    group: 'training',
    shown: (d) => String(d.labeled),
    input: (v) => ({ labeled: int(v, '--labeled', 1) }),
  },
  {
    name: 'validation',
    arg: 'N',
    help: 'training images held out for validation',
    group: 'training',
    shown: (d) => String(d.validation),
    input: (v) => ({ validation: int(v, '--validation', 0) }),
  },
  {
    name: 'steps',
    arg: 'N',
    help: 'optimizer steps per run',
    group: 'training',
    shown: (d) => String(d.steps),
    input: (v) => ({ steps: int(v, '--steps', 1) }),
  },
  {
    name: 'batch',
    arg: 'N',
    help: 'batch size',
    group: 'training',
    shown: (d) => String(d.batchSize),
    input: (v) => ({ batchSize: int(v, '--batch', 1) }),
  },
  {
    name: 'optimizer',
    arg: 'NAME',
    help: 'sgd (momentum) or adam',
    group: 'training',
    shown: (d) => d.optimizer.name,
    input: (v) => ({ optimizer: { name: oneOf(v, ['sgd', 'adam'] as const, '--optimizer') } }),
  },
  {
    name: 'lr',
    arg: 'X',
    help: 'peak learning rate (cosine schedule, any optimizer)',
    group: 'training',
    shown: (d) => String(d.lr),
    input: (v) => ({ lr: num(v, '--lr', (x) => x > 0, 'a positive number') }),
  },
  {
    name: 'momentum',
    arg: 'X',
    help: 'SGD momentum',
    group: 'training',
    shown: (d) => String(d.optimizer.momentum),
    input: (v) => ({ optimizer: { momentum: num(v, '--momentum', (x) => x >= 0 && x < 1, 'a number in [0, 1)') } }),
  },
  {
    name: 'weight-decay',
    arg: 'X',
    help: 'L2 weight decay on weights',
    group: 'training',
    shown: (d) => String(d.optimizer.weightDecay),
    input: (v) => ({ optimizer: { weightDecay: num(v, '--weight-decay', (x) => x >= 0, 'a number ≥ 0') } }),
  },
  {
    name: 'warmup',
    arg: 'N',
    help: 'linear warm-up steps',
    group: 'training',
    shown: (d) => String(d.warmupSteps),
    input: (v) => ({ warmupSteps: int(v, '--warmup', 0) }),
  },
  {
    name: 'eval-every',
    arg: 'N',
    help: 'periodic test evaluation interval (0: end only)',
    group: 'training',
    shown: (d) => String(d.evalEvery),
    input: (v) => ({ evalEvery: int(v, '--eval-every', 0) }),
  },
  {
    name: 'lambda',
    arg: 'X',
    help: 'λ_max',
    group: 'consistency',
    shown: (d) => String(d.cr.lambda.max),
    input: (v) => ({ cr: { lambda: { max: num(v, '--lambda', (x) => x >= 0, 'a number ≥ 0') } } }),
  },
  {
    name: 'lambda-schedule',
    arg: 'S',
    help: LAMBDA_SCHEDULES.join(', '),
    group: 'consistency',
    shown: (d) => d.cr.lambda.kind,
    input: (v) => ({ cr: { lambda: { kind: oneOf(v, LAMBDA_SCHEDULES, '--lambda-schedule') } } }),
  },
  {
    name: 'ramp',
    arg: 'N',
    help: 'T: ramp-up steps (step: the step it switches on)',
    group: 'consistency',
    shown: (d) => String(d.cr.lambda.rampSteps),
    input: (v) => ({ cr: { lambda: { rampSteps: int(v, '--ramp', 0) } } }),
  },
  {
    name: 'temperature',
    arg: 'X',
    help: 'τ of the consistency loss',
    group: 'consistency',
    shown: (d) => String(d.cr.temperature),
    input: (v) => ({ cr: { temperature: num(v, '--temperature', (x) => x > 0, 'a positive number') } }),
  },
  {
    name: 'consistency',
    arg: 'NAME',
    help: 'kl or mse',
    group: 'consistency',
    shown: (d) => d.cr.consistency,
    input: (v) => ({ cr: { consistency: oneOf(v, ['kl', 'mse'] as const, '--consistency') } }),
  },
  {
    name: 'unlabeled-ratio',
    arg: 'X',
    help: 'unlabeled images per labeled image in a step',
    group: 'consistency',
    shown: (d) => String(d.cr.unlabeledRatio),
    input: (v) => ({ cr: { unlabeledRatio: num(v, '--unlabeled-ratio', (x) => x >= 0, 'a number ≥ 0') } }),
  },
  {
    name: 'ema-decay',
    arg: 'X',
    help: 'teacher EMA decay a',
    group: 'consistency',
    shown: (d) => String(d.cr.teacher.decay),
    input: (v) => ({ cr: { teacher: { decay: num(v, '--ema-decay', (x) => x >= 0 && x < 1, 'a number in [0, 1)') } } }),
  },
  {
    name: 'teacher',
    arg: 'KIND',
    help: 'quantized (like the student) or fp',
    group: 'consistency',
    shown: (d) => (d.cr.teacher.quantized ? 'quantized' : 'fp'),
    input: (v) => ({ cr: { teacher: { quantized: oneOf(v, ['quantized', 'fp'] as const, '--teacher') === 'quantized' } } }),
  },
  {
    name: 'teacher-bn',
    arg: 'KIND',
    help: "copy (student's BatchNorm statistics) or own",
    group: 'consistency',
    shown: (d) => d.cr.teacher.bnStats,
    input: (v) => ({ cr: { teacher: { bnStats: oneOf(v, ['copy', 'own'] as const, '--teacher-bn') } } }),
  },
  {
    name: 'translate',
    arg: 'N',
    help: 'random shift up to N pixels (0: off)',
    group: 'augmentation',
    shown: (d) => String(d.augment.translate),
    input: (v) => ({ augment: { translate: int(v, '--translate', 0) } }),
  },
  {
    name: 'flip',
    arg: 'on|off|auto',
    help: 'horizontal flips (auto: on for clothing and CIFAR)',
    group: 'augmentation',
    shown: (d) => onOff(d.augment.flip),
    input: (v) => {
      const f = oneOf(v, ['on', 'off', 'auto'] as const, '--flip');
      return { augment: { flip: f === 'auto' ? 'auto' : f === 'on' } };
    },
  },
  {
    name: 'noise',
    arg: 'X',
    help: 'Gaussian noise std in normalised units (0: off)',
    group: 'augmentation',
    shown: (d) => String(d.augment.noise),
    input: (v) => ({ augment: { noise: num(v, '--noise', (x) => x >= 0, 'a number ≥ 0') } }),
  },
  {
    name: 'cutout',
    arg: 'N',
    help: 'side of a cut-out square in pixels (0: off)',
    group: 'augmentation',
    shown: (d) => String(d.augment.cutout),
    input: (v) => ({ augment: { cutout: int(v, '--cutout', 0) } }),
  },
];
