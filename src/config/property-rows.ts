import { BACKEND_CHOICES } from '../engine/vocabulary/backends';
import type { KnobNameAt, KnobPath } from '../engine/vocabulary/knobs';
import { SHARPNESS_MODES } from '../engine/vocabulary/sharpness-modes';
import type { ValueRule } from '../engine/vocabulary/value-rule';
import type { PlaygroundConfig } from './playground-config';

type Key = keyof PlaygroundConfig;

/** A property only the page has: its whole rule and its default. */
export interface PageRow<K extends Key = Key> {
  key: K;
  hash: string;
  rule: ValueRule | { kind: 'id' };
  default: PlaygroundConfig[K];
}

/**
 * A training knob on the page: the engine's schema gives its range or options and, unless `default` is given, its
 * default. `offer` narrows what the page offers where the engine accepts more.
 */
export interface KnobRow<K extends Key = Key> {
  key: K;
  hash: string;
  path: KnobPath;
  default?: PlaygroundConfig[K];
  offer?: { min: number; max: number };
}

export type PropertyRow = PageRow | KnobRow;

/** The knobs whose values a page property of type PlaygroundConfig[K] can hold. */
type PathFor<K extends Key> = { [P in KnobPath]: [KnobNameAt<P>] extends [PlaygroundConfig[K]] ? P : never }[KnobPath];

const page = <K extends Key>(key: K, hash: string, rule: PageRow['rule'], def: PlaygroundConfig[K]): PageRow<K> => ({ key, hash, rule, default: def });
const knob = <K extends Key>(key: K, hash: string, path: PathFor<K>, more: Pick<KnobRow<K>, 'default' | 'offer'> = {}): KnobRow<K> => ({ key, hash, path, ...more });

/**
 * Every property, in the order of the URL. Short hash names keep shared links readable. The page's defaults are the
 * classroom preset's: where a knob's differs from the engine's, the row says so.
 */
export const PROPERTY_ROWS = [
  page('dataset', 'data', { kind: 'id' }, 'fashion-mnist'),
  knob('model', 'model', 'model', { default: 'mlp-narrow' }),
  knob('wbits', 'w', 'quant.wbits', { default: 2 }),
  knob('abits', 'a', 'quant.abits', { default: 2 }),
  knob('firstLastBits', 'fl', 'quant.firstLastBits', { default: 2 }),
  knob('perChannel', 'pc', 'quant.perChannel'),
  knob('optimizer', 'opt', 'optimizer.name'),
  // The engine takes any rate above 0 (a huge one makes a run diverge on purpose); the page offers a sane span.
  knob('lr', 'lr', 'lr', { offer: { min: 1e-6, max: 10 } }),
  knob('batchSize', 'bs', 'batchSize'),
  knob('steps', 'steps', 'steps', { default: 1500 }),
  knob('labeled', 'labeled', 'labeled'),
  page('cr', 'cr', { kind: 'bool' }, true),
  knob('lambdaSchedule', 'lsched', 'cr.lambda.kind'),
  knob('lambdaMax', 'lmax', 'cr.lambda.max'),
  knob('rampSteps', 'ramp', 'cr.lambda.rampSteps'),
  knob('emaDecay', 'ema', 'cr.teacher.decay'),
  knob('temperature', 'tau', 'cr.temperature'),
  knob('unlabeledRatio', 'uratio', 'cr.unlabeledRatio'),
  knob('translate', 'shift', 'augment.translate'),
  knob('flip', 'flip', 'augment.flip'),
  knob('noise', 'noise', 'augment.noise'),
  knob('cutout', 'cutout', 'augment.cutout'),
  knob('evalEvery', 'eval', 'evalEvery'),
  page('fp32', 'fp32', { kind: 'bool' }, false),
  page('sharpness', 'hess', { kind: 'choice', options: SHARPNESS_MODES }, 'cheap'),
  page('sharpnessEvery', 'hevery', { kind: 'int', min: 1, max: 100_000 }, 50),
  page('spectrumSamples', 'hsamples', { kind: 'int', min: 16, max: 10_000 }, 512),
  page('backend', 'backend', { kind: 'choice', options: BACKEND_CHOICES }, 'auto'),
  knob('seed', 'seed', 'seed'),
] as const;

type AssertNever<T extends never> = T;
/** Compile-time: every property of PlaygroundConfig has a row. */
export type EveryKeyHasARow = AssertNever<Exclude<Key, (typeof PROPERTY_ROWS)[number]['key']>>;
