import { SHIPPED_DATASET } from '../config/playground-config';
import { PRESETS, type Preset } from '../config/presets';
import { runsOf, trainConfigFor, type RunId } from '../config/run-config';
import { type Method, type ModelName, resolveConfig, type TrainConfig, type TrainConfigInput } from '../engine';
import { overlay } from './config-overlay';
import type { RunSpec } from './run-experiment';
import { UsageError } from './usage-error';

/**
 * `--preset ID` is the page's preset of that id, taken from the page's own table (`src/config/presets.ts`) and
 * turned into engine configs by the page's own mapping (`trainConfigFor`): the CLI and the page cannot drift apart.
 */

export function findPreset(id: string): Preset {
  const preset = PRESETS.find((p) => p.id === id);
  if (!preset) throw new UsageError(`--preset: "${id}" is not one of ${PRESETS.map((p) => p.id).join(', ')}`);
  return preset;
}

/** The `--dataset` value that loads a dataset the page names by id: only the shipped one needs no files. */
export function datasetFlagFor(id: string): string {
  if (id === SHIPPED_DATASET) return id;
  return `${id === 'cifar10' || id === 'cifar100' ? id : 'idx'}:DIR`;
}

/** The preset's dataset, unless `--dataset` gives one; a dataset that is not shipped must be given with its files. */
export function presetDataset(preset: Preset, given: string | undefined): string {
  if (given !== undefined) return given;
  const id = preset.config.dataset;
  if (id === SHIPPED_DATASET) return id;
  throw new UsageError(`--preset ${preset.id} trains on ${id}, which is not shipped: add --dataset ${datasetFlagFor(id)}`);
}

/** What the page would train for this preset: its model, its one bit width, and its runs. */
export function presetRuns(preset: Preset): { models: ModelName[]; methods: Method[]; bits: [number, number][] } {
  const c = preset.config;
  return { models: [c.model], methods: runsOf(c), bits: [[c.wbits, c.abits]] };
}

/** The page's run whose settings a CLI method starts from: lsq+kd is not a page run, it takes the LSQ run's. */
function pageRunOf(method: Method): RunId {
  return method === 'lsq+kd' ? 'lsq' : method;
}

/**
 * One run's engine config input: the preset's (or nothing, so the engine's defaults), then the flags given, then
 * what the run itself fixes (model, method, bit widths, seed).
 */
export function runInput(preset: Preset | null, overrides: TrainConfigInput, spec: RunSpec): TrainConfigInput {
  const start: TrainConfigInput = preset ? { ...trainConfigFor(preset.config, pageRunOf(spec.method)), method: spec.method } : {};
  const own: TrainConfigInput = { model: spec.model, method: spec.method, seed: spec.seed, quant: { wbits: spec.wbits, abits: spec.abits } };
  return overlay(overlay(start, overrides), own);
}

/** `runInput` resolved; a setting the engine refuses is a wrong command line. */
export function runConfig(preset: Preset | null, overrides: TrainConfigInput, spec: RunSpec): TrainConfig {
  try {
    return resolveConfig(runInput(preset, overrides, spec));
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
}
