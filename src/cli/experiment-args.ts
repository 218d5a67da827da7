import { parseArgs } from 'node:util';
import { BACKEND_NAMES, type BackendChoice } from '../engine/backend/types';
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
  /** Everything else shared by all runs. */
  base: TrainConfigInput;
}

export const USAGE = `usage: npm run experiment -- [options]
  --dataset NAME        fashion-mnist (shipped), idx:DIR (four MNIST-format files), cifar10:DIR, cifar100:DIR
  --model LIST          mlp, cnn-small, resnet20 (comma-separated)          default mlp
  --methods LIST        fp32, lsq                                           default fp32,lsq
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
  --no-progress         no progress bar`;

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

function bitsList(v: string, what: string): number[] {
  return list(v, what).map((s) => {
    const b = int(s, what, 1);
    try {
      checkBits(b, what);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    return b;
  });
}

export function parseExperimentArgs(argv: string[]): ExperimentPlan | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        dataset: { type: 'string', default: 'fashion-mnist' },
        model: { type: 'string', default: 'mlp' },
        methods: { type: 'string', default: 'fp32,lsq' },
        wbits: { type: 'string', default: '4' },
        abits: { type: 'string', default: '4' },
        'first-last-bits': { type: 'string', default: '8' },
        'per-channel': { type: 'boolean', default: false },
        labeled: { type: 'string', default: '1000' },
        validation: { type: 'string', default: '0' },
        steps: { type: 'string', default: '300' },
        batch: { type: 'string', default: '64' },
        optimizer: { type: 'string', default: 'sgd' },
        lr: { type: 'string' },
        momentum: { type: 'string', default: '0.9' },
        'weight-decay': { type: 'string', default: '5e-4' },
        warmup: { type: 'string', default: '0' },
        'eval-every': { type: 'string', default: '0' },
        seeds: { type: 'string', default: '0' },
        backend: { type: 'string', default: 'auto' },
        out: { type: 'string', default: 'out/experiment' },
        'no-progress': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const dataset = v.dataset;
  if (!/^(fashion-mnist|(idx|cifar10|cifar100):.+)$/.test(dataset)) {
    throw new UsageError(`--dataset: "${dataset}" is not fashion-mnist, idx:DIR, cifar10:DIR or cifar100:DIR`);
  }
  const wbits = bitsList(v.wbits, '--wbits');
  const abits = bitsList(v.abits, '--abits');
  if (wbits.length !== abits.length && wbits.length !== 1 && abits.length !== 1) {
    throw new UsageError(`--wbits and --abits pair up: give lists of the same length (got ${wbits.length} and ${abits.length})`);
  }
  const n = Math.max(wbits.length, abits.length);
  const bits = Array.from({ length: n }, (_, i) => [wbits[Math.min(i, wbits.length - 1)], abits[Math.min(i, abits.length - 1)]] as [number, number]);
  const firstLastBits = int(v['first-last-bits'], '--first-last-bits', 1);
  try {
    checkBits(firstLastBits, '--first-last-bits');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const optimizer = oneOf(v.optimizer, ['sgd', 'adam'] as const, '--optimizer');
  const lr = v.lr === undefined ? (optimizer === 'adam' ? 1e-3 : 0.05) : num(v.lr, '--lr', (x) => x > 0, 'a positive number');
  const seeds = [...new Set(list(v.seeds, '--seeds').map((s) => int(s, '--seeds', 0)))];
  return {
    dataset,
    models: [...new Set(list(v.model, '--model').map((m) => oneOf(m, MODEL_NAMES, '--model')))],
    methods: [...new Set(list(v.methods, '--methods').map((m) => oneOf(m, METHODS, '--methods')))],
    bits,
    seeds,
    backend: oneOf(v.backend, ['auto', ...BACKEND_NAMES] as const, '--backend'),
    out: v.out,
    progress: !v['no-progress'],
    base: {
      labeled: int(v.labeled, '--labeled', 1),
      validation: int(v.validation, '--validation', 0),
      steps: int(v.steps, '--steps', 1),
      batchSize: int(v.batch, '--batch', 1),
      lr,
      warmupSteps: int(v.warmup, '--warmup', 0),
      evalEvery: int(v['eval-every'], '--eval-every', 0),
      quant: { firstLastBits, perChannel: v['per-channel'] },
      optimizer: {
        name: optimizer,
        momentum: num(v.momentum, '--momentum', (x) => x >= 0 && x < 1, 'a number in [0, 1)'),
        weightDecay: num(v['weight-decay'], '--weight-decay', (x) => x >= 0, 'a number ≥ 0'),
      },
    },
  };
}
