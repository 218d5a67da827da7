import { parseArgs } from 'node:util';
import type { Preset } from '../config/presets';
import { BACKEND_CHOICES, type BackendChoice, knobAt, type KnobPath, type Method, type ModelName, type TrainConfig, type TrainConfigInput } from '../engine';
import { int, list, oneOf } from './arg-values';
import { overlay } from './config-overlay';
import { flagInput, KNOB_FLAGS, readKnobText } from './knob-flags';
import { PLAN_DEFAULTS } from './plan-defaults';
import { findPreset, presetDataset, presetRuns, runConfig } from './preset-plan';
import { expandRuns, type RunSpec } from './run-experiment';
import { parseSeeds } from './seed-list';
import { UsageError } from './usage-error';

export { UsageError } from './usage-error';

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
  /** Write each run's model file into `out` (named in results.json as `modelFile`). */
  saveModels: boolean;
  /** Hessian eigenvalues measured after training: none, the top one, or the top 50 (with the trace in both cases). */
  hessian: { top: number; samples: number } | null;
  /** The page's preset every run starts from; null: the engine's `DEFAULT_TRAIN_CONFIG`. */
  preset: Preset | null;
  /** The training settings given as flags: they override the preset's, or the engine's defaults. */
  overrides: TrainConfigInput;
}

const PLAN_FLAGS = [...Object.keys(PLAN_DEFAULTS), 'preset'];

export function parseExperimentArgs(argv: string[]): ExperimentPlan | 'help' {
  let parsed;
  try {
    const valued = [...PLAN_FLAGS, ...KNOB_FLAGS.filter((f) => f.arg !== undefined).map((f) => f.name)];
    const switches = KNOB_FLAGS.filter((f) => f.arg === undefined).map((f) => f.name);
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(valued.map((k) => [k, { type: 'string' as const }])),
        ...Object.fromEntries(switches.map((k) => [k, { type: 'boolean' as const }])),
        'no-progress': { type: 'boolean', default: false },
        'save-models': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  const given = parsed.values as Record<string, string | boolean | undefined>;
  if (given.help) return 'help';
  const text = (k: string) => given[k] as string | undefined;

  // Where the flag order is concerned, a preset is always underneath: every other flag overrides it.
  const preset = text('preset') === undefined ? null : findPreset(text('preset')!);
  const fromPreset = preset ? presetRuns(preset) : null;
  const v = (k: keyof typeof PLAN_DEFAULTS): string => text(k) ?? PLAN_DEFAULTS[k];

  const dataset = preset ? presetDataset(preset, text('dataset')) : v('dataset');
  if (!/^(fashion-mnist|(idx|cifar10|cifar100):.+)$/.test(dataset)) {
    throw new UsageError(`--dataset: "${dataset}" is not fashion-mnist, idx:DIR, cifar10:DIR or cifar100:DIR`);
  }
  const models = fromPreset && text('model') === undefined ? fromPreset.models : knobList<ModelName>(v('model'), '--model', 'model');
  const methods = fromPreset && text('methods') === undefined ? fromPreset.methods : knobList<Method>(v('methods'), '--methods', 'method');
  const pairs = bitPairs(
    text('wbits') ?? (fromPreset ? String(fromPreset.bits[0][0]) : v('wbits')),
    text('abits') ?? (fromPreset ? String(fromPreset.bits[0][1]) : v('abits')),
  );

  let overrides: TrainConfigInput = {};
  for (const flag of KNOB_FLAGS) {
    const value = given[flag.name];
    if (value === undefined || value === false) continue;
    overrides = overlay(overrides, flagInput(flag, value));
  }

  const plan: ExperimentPlan = {
    dataset,
    models,
    methods,
    bits: pairs,
    seeds: parseSeeds(v('seeds')),
    backend: oneOf(v('backend'), BACKEND_CHOICES, '--backend'),
    out: v('out'),
    progress: !given['no-progress'],
    saveModels: given['save-models'] === true,
    hessian: (() => {
      const what = oneOf(v('hessian'), ['none', 'top1', 'top50'] as const, '--hessian');
      return what === 'none' ? null : { top: what === 'top1' ? 1 : 50, samples: int(v('hessian-samples'), '--hessian-samples', 1) };
    })(),
    preset,
    overrides,
  };
  // Settings the engine refuses fail here, before any data is loaded, rather than after hours of earlier runs.
  planRuns(plan);
  return plan;
}

/** A list flag of the plan: each item checked against the options of the knob it sets, repeats dropped. */
function knobList<T>(text: string, flag: string, path: KnobPath): T[] {
  return [...new Set(list(text, flag).map((item) => readKnobText(knobAt(path), item, flag) as T))];
}

/** `--wbits` and `--abits` pair up element by element; a single value goes with every value of the other. */
function bitPairs(wText: string, aText: string): [number, number][] {
  const wbits = list(wText, '--wbits').map((s) => readKnobText(knobAt('quant.wbits'), s, '--wbits') as number);
  const abits = list(aText, '--abits').map((s) => readKnobText(knobAt('quant.abits'), s, '--abits') as number);
  if (wbits.length !== abits.length && wbits.length !== 1 && abits.length !== 1) {
    throw new UsageError(`--wbits and --abits pair up: give lists of the same length (got ${wbits.length} and ${abits.length})`);
  }
  const n = Math.max(wbits.length, abits.length);
  return Array.from({ length: n }, (_, i) => [wbits[Math.min(i, wbits.length - 1)], abits[Math.min(i, abits.length - 1)]] as [number, number]);
}

/** Every run of the plan, in training order, with the engine config it trains with. */
export function planRuns(plan: ExperimentPlan): { spec: RunSpec; config: TrainConfig }[] {
  return expandRuns(plan.models, plan.methods, plan.bits, plan.seeds).map((spec) => ({ spec, config: runConfig(plan.preset, plan.overrides, spec) }));
}

/** The config of any one run, for a run the plan does not list (lsq+kd's full-precision teacher). */
export function configOf(plan: ExperimentPlan, spec: RunSpec): TrainConfig {
  return runConfig(plan.preset, plan.overrides, spec);
}
