import { type Dataset, type Method, type Model, type TrainConfig, type TrainConfigInput, TrainingSession } from '../engine';
import type { RunResult } from './results';

export interface RunSpec {
  model: TrainConfigInput['model'] & string;
  method: Method;
  wbits: number;
  abits: number;
  seed: number;
}

/** methods × bit widths × seeds per model; fp32 ignores bit widths, so it runs once per seed. */
export function expandRuns(models: string[], methods: Method[], bits: [number, number][], seeds: number[]): RunSpec[] {
  const runs: RunSpec[] = [];
  for (const model of models) {
    for (const method of methods) {
      const widths = method === 'fp32' ? [[32, 32] as [number, number]] : bits;
      for (const [wbits, abits] of widths) for (const seed of seeds) runs.push({ model: model as RunSpec['model'], method, wbits, abits, seed });
    }
  }
  return runs;
}

export function runLabel(r: RunSpec): string {
  return `${r.model} ${r.method}${r.method === 'fp32' ? '' : ` W${r.wbits}A${r.abits}`} seed ${r.seed}`;
}

/**
 * Trains one run to the end and measures it; the mean step time leaves out the first step (calibration, compile).
 * Returns the finished session too: a full-precision run can serve as the teacher of lsq+kd runs. The caller
 * disposes it.
 */
export async function trainRun(
  ds: Dataset,
  config: TrainConfig,
  backend: string,
  onStep: () => void,
  kdTeacher: Model | null = null,
): Promise<{ result: RunResult; session: TrainingSession }> {
  const session = new TrainingSession(ds, config);
  if (kdTeacher) session.setDistillationTeacher(kdTeacher);
  let msTotal = 0;
  let timed = 0;
  // The first step compiles kernels and is left out of the mean, unless it is the only one.
  let firstMs = NaN;
  let lastLoss = NaN;
  try {
    await session.start({
      onStep: (m) => {
        if (m.step > 1) {
          msTotal += m.msPerStep;
          timed++;
        } else firstMs = m.msPerStep;
        lastLoss = m.loss;
        onStep();
      },
    });
    const test = await session.evaluate('test');
    const validation = config.validation > 0 ? await session.evaluate('validation') : null;
    const result: RunResult = {
      method: config.method,
      seed: config.seed,
      wbits: config.quant.wbits,
      abits: config.quant.abits,
      testAccuracy: test.accuracy,
      steps: session.step,
      msPerStep: timed > 0 ? msTotal / timed : firstMs,
      backend,
      model: config.model,
      dataset: ds.name,
      testLoss: test.loss,
      validationAccuracy: validation ? validation.accuracy : null,
      teacherTestAccuracy: test.teacherAccuracy,
      finalTrainLoss: lastLoss,
      labeled: config.labeled,
      batchSize: config.batchSize,
    };
    return { result, session };
  } catch (e) {
    session.dispose();
    throw e;
  }
}
