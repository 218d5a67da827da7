import { BACKEND_NAMES, type BackendChoice } from '../engine/backend/types';
import { LAMBDA_SCHEDULES, type LambdaScheduleKind } from '../engine/cr/lambda-schedule';
import { SHARPNESS_MODES, type SharpnessMode } from '../engine/hessian/sharpness-modes';
import { MODEL_NAMES, type ModelName } from '../engine/models/types';
import type { OptimizerName } from '../engine/train/optimizers';
import { DEFAULT_TRAIN_CONFIG } from '../engine/train/config';

/** The dataset that ships with the page; every other one is loaded from files during a visit. */
export const SHIPPED_DATASET = 'fashion-mnist';
/**
 * A dataset's id: the shipped one, or one loaded from files (cifar10, cifar100, mnist…). Links name it; a link to a
 * dataset that is not loaded opens with a note asking for its files.
 */
export type DatasetName = string;
export const DATASET_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** Bit widths offered: 2–8, or 32 for full precision ("FP"). */
export const BIT_CHOICES = [2, 3, 4, 5, 6, 7, 8, 32] as const;
export const FLIP_CHOICES = ['auto', 'on', 'off'] as const;
export type FlipChoice = (typeof FLIP_CHOICES)[number];
export const OPTIMIZER_NAMES = ['sgd', 'adam'] as const satisfies readonly OptimizerName[];
export const BACKEND_CHOICES = ['auto', ...BACKEND_NAMES] as const satisfies readonly BackendChoice[];

/**
 * Everything the page lets a person set, flat, so that each knob is one URL-hash property. Two runs are built from
 * it: LSQ, and (when `cr` is on) LSQ+CR with the same seed, init and data order.
 */
export interface PlaygroundConfig {
  dataset: DatasetName;
  model: ModelName;
  wbits: number;
  abits: number;
  firstLastBits: number;
  perChannel: boolean;
  optimizer: OptimizerName;
  lr: number;
  batchSize: number;
  steps: number;
  labeled: number;
  cr: boolean;
  lambdaSchedule: LambdaScheduleKind;
  lambdaMax: number;
  rampSteps: number;
  emaDecay: number;
  temperature: number;
  unlabeledRatio: number;
  translate: number;
  flip: FlipChoice;
  noise: number;
  cutout: number;
  evalEvery: number;
  /** Also train a full-precision run, as the reference of the Hessian spectrum. */
  fp32: boolean;
  /** Live top Hessian eigenvalue: how much work per estimate, and how often. */
  sharpness: SharpnessMode;
  sharpnessEvery: number;
  /** Labeled images in the fixed batch of the on-demand spectrum. */
  spectrumSamples: number;
  backend: BackendChoice;
  seed: number;
}

type Key = keyof PlaygroundConfig;

/** How one property is checked and written: its hash name, its kind and its allowed values. */
export type PropertySpec =
  | { key: Key; hash: string; kind: 'int' | 'number'; min: number; max: number }
  | { key: Key; hash: string; kind: 'choice'; options: readonly (string | number)[] }
  | { key: Key; hash: string; kind: 'bool' }
  | { key: Key; hash: string; kind: 'id' };

/** The order here is the order in the URL. Short hash names keep shared links readable. */
export const PROPERTIES: readonly PropertySpec[] = [
  { key: 'dataset', hash: 'data', kind: 'id' },
  { key: 'model', hash: 'model', kind: 'choice', options: MODEL_NAMES },
  { key: 'wbits', hash: 'w', kind: 'choice', options: BIT_CHOICES },
  { key: 'abits', hash: 'a', kind: 'choice', options: BIT_CHOICES },
  { key: 'firstLastBits', hash: 'fl', kind: 'choice', options: BIT_CHOICES },
  { key: 'perChannel', hash: 'pc', kind: 'bool' },
  { key: 'optimizer', hash: 'opt', kind: 'choice', options: OPTIMIZER_NAMES },
  { key: 'lr', hash: 'lr', kind: 'number', min: 1e-6, max: 10 },
  { key: 'batchSize', hash: 'bs', kind: 'int', min: 1, max: 1024 },
  { key: 'steps', hash: 'steps', kind: 'int', min: 1, max: 100_000 },
  { key: 'labeled', hash: 'labeled', kind: 'int', min: 10, max: 60_000 },
  { key: 'cr', hash: 'cr', kind: 'bool' },
  { key: 'lambdaSchedule', hash: 'lsched', kind: 'choice', options: LAMBDA_SCHEDULES },
  { key: 'lambdaMax', hash: 'lmax', kind: 'number', min: 0, max: 100 },
  { key: 'rampSteps', hash: 'ramp', kind: 'int', min: 0, max: 100_000 },
  { key: 'emaDecay', hash: 'ema', kind: 'number', min: 0, max: 0.99999 },
  { key: 'temperature', hash: 'tau', kind: 'number', min: 0.05, max: 20 },
  { key: 'unlabeledRatio', hash: 'uratio', kind: 'number', min: 0, max: 8 },
  { key: 'translate', hash: 'shift', kind: 'int', min: 0, max: 8 },
  { key: 'flip', hash: 'flip', kind: 'choice', options: FLIP_CHOICES },
  { key: 'noise', hash: 'noise', kind: 'number', min: 0, max: 2 },
  { key: 'cutout', hash: 'cutout', kind: 'int', min: 0, max: 16 },
  { key: 'evalEvery', hash: 'eval', kind: 'int', min: 0, max: 100_000 },
  { key: 'fp32', hash: 'fp32', kind: 'bool' },
  { key: 'sharpness', hash: 'hess', kind: 'choice', options: SHARPNESS_MODES },
  { key: 'sharpnessEvery', hash: 'hevery', kind: 'int', min: 1, max: 100_000 },
  { key: 'spectrumSamples', hash: 'hsamples', kind: 'int', min: 16, max: 10_000 },
  { key: 'backend', hash: 'backend', kind: 'choice', options: BACKEND_CHOICES },
  { key: 'seed', hash: 'seed', kind: 'int', min: 0, max: 2 ** 31 - 1 },
];

const ENGINE_CR = DEFAULT_TRAIN_CONFIG.cr;
const ENGINE_VIEWS = DEFAULT_TRAIN_CONFIG.augment;

/**
 * The page's first state: the classroom preset, where 2 bits cost accuracy and CR wins part of it back (README).
 * Its CR settings and views are the engine's defaults, so the page, the CLI and the engine mean one thing by LSQ+CR.
 */
export const DEFAULT_CONFIG: PlaygroundConfig = {
  dataset: 'fashion-mnist',
  model: 'mlp-narrow',
  wbits: 2,
  abits: 2,
  firstLastBits: 2,
  perChannel: false,
  optimizer: 'sgd',
  lr: 0.05,
  batchSize: 64,
  steps: 1500,
  labeled: 1000,
  cr: true,
  lambdaSchedule: ENGINE_CR.lambda.kind,
  lambdaMax: ENGINE_CR.lambda.max,
  rampSteps: ENGINE_CR.lambda.rampSteps,
  emaDecay: ENGINE_CR.teacher.decay,
  temperature: ENGINE_CR.temperature,
  unlabeledRatio: ENGINE_CR.unlabeledRatio,
  translate: ENGINE_VIEWS.translate,
  flip: ENGINE_VIEWS.flip === 'auto' ? 'auto' : ENGINE_VIEWS.flip ? 'on' : 'off',
  noise: ENGINE_VIEWS.noise,
  cutout: ENGINE_VIEWS.cutout,
  evalEvery: 100,
  fp32: false,
  sharpness: 'cheap',
  sharpnessEvery: 50,
  spectrumSamples: 512,
  backend: 'auto',
  seed: 0,
};

/** A plain decimal number as a person writes it (no hex, binary or blank); NaN otherwise. */
export function parseDecimal(text: string): number {
  return /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text) ? Number(text) : NaN;
}

/** Why a value is not allowed, or null when it is. */
export function checkProperty(spec: PropertySpec, value: unknown): string | null {
  switch (spec.kind) {
    case 'bool':
      return typeof value === 'boolean' ? null : 'must be on or off';
    case 'id':
      return typeof value === 'string' && DATASET_ID_PATTERN.test(value) ? null : 'must be a dataset name: lowercase letters, digits and dashes';
    case 'choice':
      return spec.options.includes(value as string | number) ? null : `must be one of ${spec.options.join(', ')}`;
    case 'int':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (spec.kind === 'int' && !Number.isInteger(value)) return 'must be a whole number';
      if (value < spec.min || value > spec.max) return `must be between ${spec.min} and ${spec.max}`;
      return null;
    }
  }
}

/** Training images of the datasets whose size is known before loading: the labeled subset cannot be larger. */
export const TRAIN_SIZE: Record<string, number> = { 'fashion-mnist': 60_000, cifar10: 50_000, cifar100: 50_000 };

/** Checks that need two properties at once; each problem names the property that is reset to its default. */
export function crossCheck(c: PlaygroundConfig): { key: Key; reason: string }[] {
  const problems: { key: Key; reason: string }[] = [];
  const size = TRAIN_SIZE[c.dataset];
  if (size !== undefined && c.labeled > size) problems.push({ key: 'labeled', reason: `is more than ${c.dataset} has (${size} training images)` });
  return problems;
}

export function propertySpec(key: Key): PropertySpec {
  const spec = PROPERTIES.find((p) => p.key === key);
  if (!spec) throw new Error(`unknown property ${key}`);
  return spec;
}
