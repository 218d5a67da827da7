import type { TrainConfigInput } from '../engine/train/config';
import type { PlaygroundConfig } from './playground-config';

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
 * The engine's config for one run. Both runs get every setting, CR's too (the LSQ run ignores them), so they share
 * seed, init, data order and augmentation of the student's view.
 */
export function trainConfigFor(c: PlaygroundConfig, run: RunId): TrainConfigInput {
  return {
    model: c.model,
    method: run,
    quant: { wbits: c.wbits, abits: c.abits, firstLastBits: c.firstLastBits, perChannel: c.perChannel },
    optimizer: { name: c.optimizer },
    lr: c.lr,
    batchSize: c.batchSize,
    steps: c.steps,
    labeled: c.labeled,
    evalEvery: c.evalEvery,
    evalSamples: PERIODIC_EVAL_SAMPLES,
    seed: c.seed,
    augment: { translate: c.translate, flip: c.flip === 'auto' ? 'auto' : c.flip === 'on', noise: c.noise, cutout: c.cutout },
    cr: {
      lambda: { kind: c.lambdaSchedule, max: c.lambdaMax, rampSteps: c.rampSteps },
      temperature: c.temperature,
      unlabeledRatio: c.unlabeledRatio,
      teacher: { decay: c.emaDecay },
    },
  };
}
