import { parseArgs } from 'node:util';
import { BACKEND_NAMES, type BackendChoice } from '../engine/backend/types';
import { LAMBDA_SCHEDULES } from '../engine/cr/lambda-schedule';
import { MODEL_NAMES, type ModelName } from '../engine/models/types';
import { checkBits } from '../engine/quant/config';
import { METHODS, type Method, type TrainConfigInput } from '../engine/train/config';

/** A wrong command line: reported in one line, exit code 2. */
export class UsageError extends Error {}

export interface ExperimentPlan {
  dataset: string;
  models: ModelName[];
  methods: Method[];
  /** (weight bits, activation bits) pairs. */
  bits: [number, number][];
  seeds: number[];
  backend: BackendChoice;
  out: string;
  progress: boolean;
  /** Hessian eigenvalues measured after training: none, the top one, or the top 50 (with the trace in both cases). */
  hessian: { top: number; samples: number } | null;
  /** Everything else shared by all runs. */
  base: TrainConfigInput;
}

/** Every valued option with its default, in one place; presets override these, the command line overrides both. */
const DEFAULTS = {
  dataset: 'fashion-mnist',
  model: 'mlp',
  methods: 'fp32,lsq',
  wbits: '4',
  abits: '4',
  'first-last-bits': '8',
  labeled: '1000',
  validation: '0',
  steps: '300',
  batch: '64',
  optimizer: 'sgd',
  lr: '',
  momentum: '0.9',
  'weight-decay': '5e-4',
  warmup: '0',
  'eval-every': '0',
  seeds: '0',
  backend: 'auto',
  out: 'out/experiment',
  lambda: '1',
  'lambda-schedule': 'sigmoid',
  ramp: '200',
  temperature: '1',
  consistency: 'kl',
  'unlabeled-ratio': '1',
  'ema-decay': '0.999',
  teacher: 'quantized',
  'teacher-bn': 'copy',
  translate: '2',
  flip: 'auto',
  noise: '0',
  cutout: '0',
  preset: '',
  hessian: 'none',
  'hessian-samples': '1000',
} as const;

type Key = keyof typeof DEFAULTS;

export const PRESETS: Record<string, Partial<Record<Key, string>>> = {
  // The README's comparison: 1,000 labels, the rest unlabeled, W2A2 and W4A4, 3 seeds, both small models.
  'paper-mini': {
    model: 'mlp,cnn-small',
    methods: 'fp32,lsq,lsq+cr,lsq+kd',
    wbits: '2,4',
    abits: '2,4',
    labeled: '1000',
    seeds: '0,1,2',
    steps: '1000',
    'ema-decay': '0.99',
  },
};

export const USAGE = `usage: npm run experiment -- [options]
  --preset NAME         paper-mini: mlp and cnn-small, fp32/lsq/lsq+cr/lsq+kd, W2A2 and W4A4, 1,000 labels, 3 seeds
  --dataset NAME        fashion-mnist (shipped), idx:DIR (four MNIST-format files), cifar10:DIR, cifar100:DIR
  --model LIST          mlp, cnn-small, resnet20 (comma-separated)          default mlp
  --methods LIST        fp32, lsq, lsq+cr, lsq+kd                           default fp32,lsq
  --wbits LIST          weight bits, 2–8 (paired with --abits)              default 4
  --abits LIST          activation bits, 2–8                                default 4
  --first-last-bits N   bits of the first and last layer (32: not quantized) default 8
  --per-channel         one weight step per output channel
  --labeled N           labeled training images (stratified subset)        default 1000
  --validation N        training images held out for validation            default 0
  --steps N             optimizer steps per run                             default 300
  --batch N             batch size                                          default 64
  --optimizer NAME      sgd (momentum) or adam                              default sgd
  --lr X                peak learning rate (cosine schedule)                default 0.05 (sgd), 0.001 (adam)
  --momentum X          SGD momentum                                        default 0.9
  --weight-decay X      L2 weight decay on weights                          default 5e-4
  --warmup N            linear warm-up steps                                default 0
  --eval-every N        periodic test evaluation interval (0: end only)     default 0
  --seeds LIST          seeds, e.g. 0,1,2                                   default 0
  --backend NAME        auto, webgpu, wasm, webgl, cpu                      default auto
  --out DIR             where results.json and summary.md go                default out/experiment
  --no-progress         no progress bar
  --hessian WHAT        none, top1 or top50: the top Hessian eigenvalue(s) and the trace
                        of the training loss after training                 default none
  --hessian-samples N   labeled images in the fixed batch of the Hessian    default 1000
 consistency (lsq+cr; lsq+kd uses λ, τ and the loss too):
  --lambda X            λ_max                                               default 1
  --lambda-schedule S   ${LAMBDA_SCHEDULES.join(', ')}              default sigmoid
  --ramp N              T: ramp-up steps (step: the step it switches on)   default 200
  --temperature X       τ of the consistency loss                           default 1
  --consistency NAME    kl or mse                                           default kl
  --unlabeled-ratio X   unlabeled images per labeled image in a step        default 1
  --ema-decay X         teacher EMA decay a                                 default 0.999
  --teacher KIND        quantized (like the student) or fp                  default quantized
  --teacher-bn KIND     copy (student's BatchNorm statistics) or own        default copy
 augmentation (every method, each view):
  --translate N         random shift up to N pixels (0: off)                default 2
  --flip on|off|auto    horizontal flips (auto: on for clothing and CIFAR)  default auto
  --noise X             Gaussian noise std in normalised units (0: off)     default 0
  --cutout N            side of a cut-out square in pixels (0: off)         default 0`;

function list(v: string, what: string): string[] {
  const items = v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw new UsageError(`${what}: empty list`);
  return items;
}

function int(v: string, what: string, min: number): number {
  const n = Number(v);
  if (!/^-?\d+$/.test(v.trim()) || n < min) throw new UsageError(`${what}: expected an integer ≥ ${min}, got "${v}"`);
  return n;
}

function num(v: string, what: string, ok: (n: number) => boolean, expect: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new UsageError(`${what}: expected ${expect}, got "${v}"`);
  return n;
}

function oneOf<T extends string>(v: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${what}: "${v}" is not one of ${allowed.join(', ')}`);
  return v as T;
}

function bits(v: string, what: string): number {
  const b = int(v, what, 1);
  try {
    checkBits(b, what);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return b;
}

export function parseExperimentArgs(argv: string[]): ExperimentPlan | 'help' {
  let parsed;
  try {
    const options = Object.fromEntries(Object.keys(DEFAULTS).map((k) => [k, { type: 'string' as const }]));
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...options,
        'per-channel': { type: 'boolean', default: false },
        'no-progress': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  const given = parsed.values as Record<string, string | boolean | undefined>;
  if (given.help) return 'help';
  const presetName = (given.preset as string | undefined) ?? '';
  if (presetName && !PRESETS[presetName]) throw new UsageError(`--preset: "${presetName}" is not one of ${Object.keys(PRESETS).join(', ')}`);
  const preset = PRESETS[presetName] ?? {};
  const v = (k: Key): string => (given[k] as string | undefined) ?? preset[k] ?? DEFAULTS[k];

  const dataset = v('dataset');
  if (!/^(fashion-mnist|(idx|cifar10|cifar100):.+)$/.test(dataset)) {
    throw new UsageError(`--dataset: "${dataset}" is not fashion-mnist, idx:DIR, cifar10:DIR or cifar100:DIR`);
  }
  const wbits = list(v('wbits'), '--wbits').map((s) => bits(s, '--wbits'));
  const abits = list(v('abits'), '--abits').map((s) => bits(s, '--abits'));
  if (wbits.length !== abits.length && wbits.length !== 1 && abits.length !== 1) {
    throw new UsageError(`--wbits and --abits pair up: give lists of the same length (got ${wbits.length} and ${abits.length})`);
  }
  const n = Math.max(wbits.length, abits.length);
  const pairs = Array.from({ length: n }, (_, i) => [wbits[Math.min(i, wbits.length - 1)], abits[Math.min(i, abits.length - 1)]] as [number, number]);
  const optimizer = oneOf(v('optimizer'), ['sgd', 'adam'] as const, '--optimizer');
  const lr = v('lr') === '' ? (optimizer === 'adam' ? 1e-3 : 0.05) : num(v('lr'), '--lr', (x) => x > 0, 'a positive number');
  const flip = oneOf(v('flip'), ['on', 'off', 'auto'] as const, '--flip');
  const augment = {
    translate: int(v('translate'), '--translate', 0),
    flip: flip === 'auto' ? ('auto' as const) : flip === 'on',
    noise: num(v('noise'), '--noise', (x) => x >= 0, 'a number ≥ 0'),
    cutout: int(v('cutout'), '--cutout', 0),
  };
  return {
    dataset,
    models: [...new Set(list(v('model'), '--model').map((m) => oneOf(m, MODEL_NAMES, '--model')))],
    methods: [...new Set(list(v('methods'), '--methods').map((m) => oneOf(m, METHODS, '--methods')))],
    bits: pairs,
    seeds: [...new Set(list(v('seeds'), '--seeds').map((s) => int(s, '--seeds', 0)))],
    backend: oneOf(v('backend'), ['auto', ...BACKEND_NAMES] as const, '--backend'),
    out: v('out'),
    progress: !given['no-progress'],
    hessian: (() => {
      const what = oneOf(v('hessian'), ['none', 'top1', 'top50'] as const, '--hessian');
      return what === 'none' ? null : { top: what === 'top1' ? 1 : 50, samples: int(v('hessian-samples'), '--hessian-samples', 1) };
    })(),
    base: {
      labeled: int(v('labeled'), '--labeled', 1),
      validation: int(v('validation'), '--validation', 0),
      steps: int(v('steps'), '--steps', 1),
      batchSize: int(v('batch'), '--batch', 1),
      lr,
      warmupSteps: int(v('warmup'), '--warmup', 0),
      evalEvery: int(v('eval-every'), '--eval-every', 0),
      quant: { firstLastBits: bits(v('first-last-bits'), '--first-last-bits'), perChannel: Boolean(given['per-channel']) },
      optimizer: {
        name: optimizer,
        momentum: num(v('momentum'), '--momentum', (x) => x >= 0 && x < 1, 'a number in [0, 1)'),
        weightDecay: num(v('weight-decay'), '--weight-decay', (x) => x >= 0, 'a number ≥ 0'),
      },
      augment,
      cr: {
        lambda: {
          kind: oneOf(v('lambda-schedule'), LAMBDA_SCHEDULES, '--lambda-schedule'),
          max: num(v('lambda'), '--lambda', (x) => x >= 0, 'a number ≥ 0'),
          rampSteps: int(v('ramp'), '--ramp', 0),
        },
        temperature: num(v('temperature'), '--temperature', (x) => x > 0, 'a positive number'),
        consistency: oneOf(v('consistency'), ['kl', 'mse'] as const, '--consistency'),
        unlabeledRatio: num(v('unlabeled-ratio'), '--unlabeled-ratio', (x) => x >= 0, 'a number ≥ 0'),
        teacher: {
          decay: num(v('ema-decay'), '--ema-decay', (x) => x >= 0 && x < 1, 'a number in [0, 1)'),
          quantized: oneOf(v('teacher'), ['quantized', 'fp'] as const, '--teacher') === 'quantized',
          bnStats: oneOf(v('teacher-bn'), ['copy', 'own'] as const, '--teacher-bn'),
        },
      },
    },
  };
}
