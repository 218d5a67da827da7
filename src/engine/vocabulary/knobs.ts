import { FLIP_CHOICES } from './augment-names';
import { BIT_CHOICES } from './bits';
import { CONSISTENCY_KINDS, LAMBDA_SCHEDULES, TEACHER_BN_STATS, TEACHER_KINDS } from './cr-names';
import { boolKnob, choiceKnob, intKnob, mappedKnob, numberKnob, type Knob } from './knob';
import { METHODS } from './methods';
import { MODEL_NAMES } from './models';
import { OPTIMIZER_NAMES } from './optimizers';

/** Bit widths stay plain numbers in TrainConfig: models are built, and checked, from any number. */
const BITS: readonly number[] = BIT_CHOICES;
/** The page's largest seed is the engine's: a seed any link can hold. */
const MAX_SEED = 2 ** 31 - 1;
/** Steps, ramps and intervals share one ceiling: longer runs are not what this playground is for. */
const MAX_STEPS = 100_000;
/** The largest training split shipped or known (Fashion-MNIST's 60,000 images). */
const MAX_IMAGES = 60_000;

/**
 * Every training knob of the engine, once: TrainConfig's type, DEFAULT_TRAIN_CONFIG, resolveConfig's checks, the CLI's
 * flags and help, and the ranges the page offers are all read from here. The order is the order of `--help`.
 *
 * The CR defaults and views are the classroom preset's (chosen on a validation split, README): flips where they keep
 * the label and Gaussian noise, no translation (an MLP has no translation invariance, and asking it to agree across
 * shifted copies cost CR accuracy).
 */
export const TRAIN_KNOBS = [
  choiceKnob('model', { options: MODEL_NAMES, default: 'mlp', doc: 'the network' }),
  choiceKnob('method', { options: METHODS, default: 'lsq', doc: 'how the network is trained' }),
  choiceKnob('quant.wbits', { options: BITS, default: 4, doc: 'weight bits of the inner layers (32: not quantized)' }),
  choiceKnob('quant.abits', { options: BITS, default: 4, doc: 'bits of the activations entering the inner layers' }),
  choiceKnob('quant.firstLastBits', {
    options: BITS,
    default: 8,
    doc: 'bits of the first and last layer',
    flag: 'first-last-bits',
  }),
  boolKnob('quant.perChannel', { default: false, doc: 'one weight step per output channel', flag: 'per-channel' }),
  intKnob('labeled', { min: 10, max: MAX_IMAGES, default: 1000, doc: 'labeled training images (stratified subset)', flag: 'labeled' }),
  intKnob('validation', { min: 0, max: MAX_IMAGES, default: 0, doc: 'training images held out for validation', flag: 'validation' }),
  intKnob('steps', { min: 1, max: MAX_STEPS, default: 300, doc: 'optimizer steps per run', flag: 'steps' }),
  intKnob('batchSize', { min: 1, max: 1024, default: 64, doc: 'batch size', flag: 'batch' }),
  choiceKnob('optimizer.name', { options: OPTIMIZER_NAMES, default: 'sgd', doc: 'optimizer (sgd: with momentum)', flag: 'optimizer' }),
  // Unbounded above: a huge rate is how a diverging run is provoked on purpose.
  numberKnob('lr', { min: 0, minOpen: true, max: Infinity, default: 0.05, doc: 'peak learning rate (cosine schedule, any optimizer)', flag: 'lr' }),
  numberKnob('optimizer.momentum', { min: 0, max: 1, maxOpen: true, default: 0.9, doc: 'SGD momentum', flag: 'momentum' }),
  numberKnob('optimizer.weightDecay', { min: 0, max: Infinity, default: 5e-4, doc: 'L2 weight decay on weights', flag: 'weight-decay' }),
  numberKnob('optimizer.beta1', { min: 0, max: 1, maxOpen: true, default: 0.9, doc: "Adam's β1" }),
  numberKnob('optimizer.beta2', { min: 0, max: 1, maxOpen: true, default: 0.999, doc: "Adam's β2" }),
  numberKnob('optimizer.epsilon', { min: 0, minOpen: true, max: Infinity, default: 1e-8, doc: "Adam's ε" }),
  intKnob('warmupSteps', { min: 0, max: MAX_STEPS, default: 0, doc: 'linear warm-up steps', flag: 'warmup' }),
  intKnob('evalEvery', { min: 0, max: MAX_STEPS, default: 100, doc: 'periodic test evaluation interval (0: end only)', flag: 'eval-every' }),
  intKnob('evalSamples', {
    min: 0,
    max: Infinity,
    default: 0,
    doc: 'test images of each periodic evaluation (0: all; the final one always uses all)',
  }),
  intKnob('seed', { min: 0, max: MAX_SEED, default: 0, doc: 'seeds the initialisation, the data order and the views' }),

  numberKnob('cr.lambda.max', { min: 0, max: 100, default: 3, doc: 'λ_max: weight of the consistency term once ramped up', flag: 'lambda' }),
  choiceKnob('cr.lambda.kind', { options: LAMBDA_SCHEDULES, default: 'sigmoid', doc: 'λ schedule', flag: 'lambda-schedule' }),
  intKnob('cr.lambda.rampSteps', { min: 0, max: MAX_STEPS, default: 300, doc: 'T: ramp-up steps (step: the step it switches on)', flag: 'ramp' }),
  numberKnob('cr.temperature', { min: 0.05, max: 20, default: 1, doc: 'τ of the consistency loss', flag: 'temperature' }),
  choiceKnob('cr.consistency', { options: CONSISTENCY_KINDS, default: 'kl', doc: 'consistency loss', flag: 'consistency' }),
  numberKnob('cr.unlabeledRatio', {
    min: 0,
    max: 8,
    default: 1,
    doc: 'unlabeled images per labeled image in a step',
    flag: 'unlabeled-ratio',
  }),
  numberKnob('cr.teacher.decay', { min: 0, max: 0.99999, default: 0.98, doc: 'teacher EMA decay a', flag: 'ema-decay' }),
  mappedKnob('cr.teacher.quantized', {
    options: TEACHER_KINDS,
    values: [true, false],
    default: true,
    doc: "teacher's weights (fp: full precision)",
    flag: 'teacher',
  }),
  choiceKnob('cr.teacher.bnStats', {
    options: TEACHER_BN_STATS,
    default: 'own',
    doc: "teacher BN statistics (copy: the student's)",
    flag: 'teacher-bn',
  }),

  intKnob('augment.translate', { min: 0, max: 8, default: 0, doc: 'random shift up to N pixels (0: off)', flag: 'translate' }),
  mappedKnob('augment.flip', {
    options: FLIP_CHOICES,
    values: ['auto', true, false],
    default: 'auto',
    doc: 'horizontal flips (auto: on for clothing and CIFAR)',
    flag: 'flip',
  }),
  numberKnob('augment.noise', { min: 0, max: 2, default: 0.2, doc: 'Gaussian noise std in normalised units (0: off)', flag: 'noise' }),
  intKnob('augment.cutout', { min: 0, max: 16, default: 0, doc: 'side of a cut-out square in pixels (0: off)', flag: 'cutout' }),
] as const satisfies readonly Knob[];

export type TrainKnob = (typeof TRAIN_KNOBS)[number];
export type KnobPath = TrainKnob['path'];

const BY_PATH: ReadonlyMap<string, Knob> = new Map(TRAIN_KNOBS.map((k) => [k.path, k] as const));

export function knobAt(path: KnobPath): Knob {
  return BY_PATH.get(path)!;
}

type KnobOf<P extends KnobPath> = Extract<TrainKnob, { path: P }>;
/** The names a knob's values are written as: its options for a choice, else the value's own type. */
export type KnobNameAt<P extends KnobPath> = KnobOf<P> extends { options: readonly (infer N)[] } ? N : KnobOf<P>['default'];
