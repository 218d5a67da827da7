import type { FlipChoice } from '../engine/vocabulary/augment-names';
import type { BackendChoice } from '../engine/vocabulary/backends';
import type { LambdaScheduleKind } from '../engine/vocabulary/cr-names';
import type { ModelName } from '../engine/vocabulary/models';
import type { OptimizerName } from '../engine/vocabulary/optimizers';
import type { SharpnessMode } from '../engine/vocabulary/sharpness-modes';
import { checkValue, type ValueRule } from '../engine/vocabulary/value-rule';
import type { KnobPath } from '../engine/vocabulary/knobs';
import { PROPERTY_ROWS } from './property-rows';
import { resolveRow, rowDefault } from './resolve-row';

export { FLIP_CHOICES, type FlipChoice } from '../engine/vocabulary/augment-names';
export { BACKEND_CHOICES } from '../engine/vocabulary/backends';
export { BIT_CHOICES } from '../engine/vocabulary/bits';
export { parseDecimal } from '../engine/vocabulary/decimal';
export { OPTIMIZER_NAMES } from '../engine/vocabulary/optimizers';

/** The dataset that ships with the page; every other one is loaded from files during a visit. */
export const SHIPPED_DATASET = 'fashion-mnist';
/**
 * A dataset's id: the shipped one, or one loaded from files (cifar10, cifar100, mnist…). Links name it; a link to a
 * dataset that is not loaded opens with a note asking for its files.
 */
export type DatasetName = string;
export const DATASET_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;

/**
 * Everything the page lets a person set, flat, so that each knob is one URL-hash property. Two runs are built from
 * it: LSQ, and (when `cr` is on) LSQ+CR with the same seed, init and data order. The training knobs among them take
 * their ranges and options from the engine's schema (property-rows.ts names which).
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

/**
 * How one property is checked and written: its hash name and its allowed values. `path` names the engine knob a
 * training property sets; the page-only ones have none.
 */
export type PropertySpec = { key: Key; hash: string; path?: KnobPath } & (ValueRule | { kind: 'id' });

/** The order here is the order in the URL. */
export const PROPERTIES: readonly PropertySpec[] = PROPERTY_ROWS.map(resolveRow);

/**
 * The page's first state: the classroom preset, where 2 bits cost accuracy and CR wins part of it back (README).
 * Its CR settings and views are the engine's defaults, so the page, the CLI and the engine mean one thing by LSQ+CR.
 */
export const DEFAULT_CONFIG: PlaygroundConfig = Object.fromEntries(PROPERTY_ROWS.map((r) => [r.key, rowDefault(r)])) as unknown as PlaygroundConfig;

/** Why a value is not allowed, or null when it is. */
export function checkProperty(spec: PropertySpec, value: unknown): string | null {
  if (spec.kind !== 'id') return checkValue(spec, value);
  return typeof value === 'string' && DATASET_ID_PATTERN.test(value) ? null : 'must be a dataset name: lowercase letters, digits and dashes';
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
