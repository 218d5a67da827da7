import type { Dataset } from '../data/types';
import type { TrainConfigInput } from './config';
import { TrainingSession } from './session';

/**
 * Milliseconds per training step of `config` on the current backend: `warmup` steps first (shader compilation,
 * first allocations), then the mean of `steps` steps through the training loop, as a run trains once λ has ramped
 * up. No evaluation enters the timing, and everything is released. lsq+kd is timed as lsq+cr, whose step does the
 * same work.
 */
export async function timeTrainingSteps(dataset: Dataset, config: TrainConfigInput, opts: { warmup?: number; steps?: number } = {}): Promise<number> {
  const warmup = opts.warmup ?? 2;
  const steps = opts.steps ?? 3;
  const s = new TrainingSession(dataset, {
    ...config,
    method: config.method === 'lsq+kd' ? 'lsq+cr' : config.method,
    // The consistency term at full weight from the first step: a ramp would time early steps as plain LSQ ones.
    cr: { ...config.cr, lambda: { ...config.cr?.lambda, kind: 'constant' } },
    warmupSteps: 0,
    // Two more than are used: the loop may queue one past the pause, and the end-of-run evaluation never comes.
    steps: warmup + steps + 2,
    evalEvery: 0,
  });
  try {
    for (let i = 0; i < warmup; i++) await s.trainStep();
    let total = 0;
    const last = warmup + steps;
    await s.start({
      onStep: (m) => {
        if (m.step > last) return;
        total += m.msPerStep;
        if (m.step === last) void s.pause();
      },
    });
    return total / steps;
  } finally {
    s.dispose();
  }
}
