import { knobValue } from '../engine/vocabulary/knob';
import { setAt } from '../engine/vocabulary/knob-tree';
import { knobAt } from '../engine/vocabulary/knobs';
import type { TrainConfigInput } from '../engine/vocabulary/train-config';
import { PROPERTIES, type PlaygroundConfig } from './playground-config';

export const RUN_IDS = ['fp32', 'lsq', 'lsq+cr'] as const;
export type RunId = (typeof RUN_IDS)[number];

export const RUN_LABELS: Record<RunId, string> = { fp32: 'FP32', lsq: 'LSQ', 'lsq+cr': 'LSQ+CR' };

/** The runs a config asks for: LSQ always, LSQ+CR when CR is on, a full-precision reference when asked. */
export function runsOf(c: PlaygroundConfig): RunId[] {
  return RUN_IDS.filter((id) => id === 'lsq' || (id === 'lsq+cr' && c.cr) || (id === 'fp32' && c.fp32));
}

/** Test images used by the periodic evaluations; the final one uses the whole test split. */
const PERIODIC_EVAL_SAMPLES = 1000;

/**
 * The engine's config for one run: every training property at its knob's path (flip `on` becomes `true`), then what
 * the run fixes. Both runs get every setting, CR's too (the LSQ run ignores them), so they share seed, init, data
 * order and augmentation of the student's view.
 */
export function trainConfigFor(c: PlaygroundConfig, run: RunId): TrainConfigInput {
  const input: Record<string, unknown> = {};
  for (const spec of PROPERTIES) if (spec.path) setAt(input, spec.path, knobValue(knobAt(spec.path), c[spec.key]));
  return { ...(input as TrainConfigInput), method: run, evalSamples: PERIODIC_EVAL_SAMPLES };
}
