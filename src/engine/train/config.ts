import { FP32_QUANT } from '../quant/config';
import { checkKnob } from '../vocabulary/knob';
import { getAt, leafPaths, setAt, treeOfDefaults } from '../vocabulary/knob-tree';
import { TRAIN_KNOBS } from '../vocabulary/knobs';
import type { TrainConfig, TrainConfigInput } from '../vocabulary/train-config';

export { METHODS, type Method } from '../vocabulary/methods';
export type { CrConfig, TrainConfig, TrainConfigInput } from '../vocabulary/train-config';

/** Every knob's default, from the schema (src/engine/vocabulary/knobs.ts). */
export const DEFAULT_TRAIN_CONFIG: TrainConfig = treeOfDefaults(TRAIN_KNOBS);

const KNOWN = new Set<string>(TRAIN_KNOBS.map((k) => k.path));

function shown(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/** A misspelt or stale field would otherwise be dropped without a word. */
function checkKnown(input: TrainConfigInput): void {
  for (const path of leafPaths(input)) {
    if (path !== '' && !KNOWN.has(path) && getAt(input, path) !== undefined) throw new RangeError(`${path} is not a training setting`);
  }
}

/** Fills defaults and checks every knob against the schema; fp32 runs are never quantized whatever bits were given. */
export function resolveConfig(input: TrainConfigInput = {}): TrainConfig {
  checkKnown(input);
  const cfg: Record<string, unknown> = {};
  for (const knob of TRAIN_KNOBS) {
    const given = getAt(input, knob.path);
    setAt(cfg, knob.path, given === undefined ? knob.default : given);
  }
  const resolved = cfg as unknown as TrainConfig;
  // The one rule that reads two fields: the method decides the bits, so fp32 ignores (and never refuses) the bits given.
  if (resolved.method === 'fp32') resolved.quant = { ...FP32_QUANT, perChannel: resolved.quant.perChannel };
  for (const knob of TRAIN_KNOBS) {
    const value = getAt(resolved, knob.path);
    const problem = checkKnob(knob, value);
    if (problem) throw new RangeError(`${knob.path} ${problem}, got ${shown(value)}`);
  }
  return resolved;
}
