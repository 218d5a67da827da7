/**
 * Headless experiments: methods × bit widths × seeds on one dataset, written to DIR/results.json and
 * DIR/summary.md. Usage: npm run experiment -- --help
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { describeBackend, initBackend, measureHessian, serializeModel, type TrainingSession } from '../engine';
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { installNodeWebGPU, uninstallNodeWebGPU } from '../node/webgpu';
import { configOf, parseExperimentArgs, planRuns, UsageError } from './experiment-args';
import { loadDatasetNode } from './load-dataset';
import { Progress } from './progress';
import { pairedComparisons } from './paired-summary';
import { summarize, type RunResult } from './results';
import { runLabel, trainRun, type RunSpec } from './run-experiment';
import { USAGE } from './usage';

async function main(argv: string[]): Promise<number> {
  // Quiet TF.js's Node banner and debug checks: this is a measuring tool.
  tf.env().set('PROD', true);
  let plan;
  try {
    plan = parseExperimentArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`experiment: ${e.message} (see --help)\n`);
      return 2;
    }
    throw e;
  }
  if (plan === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const ds = await loadDatasetNode(plan.dataset);
  if (plan.backend === 'auto' || plan.backend === 'webgpu') await installNodeWebGPU();
  const backend = await initBackend(plan.backend);
  for (const line of backend.fallbacks) process.stderr.write(`backend ${line}\n`);
  process.stderr.write(`backend: ${describeBackend(backend)}\n`);

  const runsPlanned = planRuns(plan);
  const specs = runsPlanned.map((r) => r.spec);
  const command = `npm run experiment -- ${argv.join(' ')}`.trim();
  // Runs differ only in model, method, bits and seed: the first describes the rest; a CR run describes CR.
  const cfg = runsPlanned[0].config;
  const a = cfg.augment;
  const cr = (runsPlanned.find((r) => r.config.method === 'lsq+cr' || r.config.method === 'lsq+kd') ?? runsPlanned[0]).config.cr;
  const header = [
    plan.preset ? `Preset ${plan.preset.id}, the page's settings; flags in the command override single ones.` : '',
    `Dataset ${ds.name}, ${cfg.labeled} labeled images, ${cfg.steps} steps of batch ${cfg.batchSize}, ${cfg.optimizer.name} lr ${cfg.lr}, backend ${describeBackend(backend)}.`,
    `Augmentation: translate ${a.translate}, flip ${a.flip}, noise ${a.noise}, cutout ${a.cutout}.`,
    plan.methods.some((m) => m === 'lsq+cr' || m === 'lsq+kd')
      ? `Consistency: λ ${cr.lambda.kind} to ${cr.lambda.max} over ${cr.lambda.rampSteps} steps, ${cr.consistency} at τ ${cr.temperature}, ${cr.unlabeledRatio} unlabeled per labeled, EMA decay ${cr.teacher.decay} (${cr.teacher.quantized ? 'quantized' : 'full-precision'} teacher, BatchNorm statistics ${cr.teacher.bnStats}).`
      : '',
    `Command: \`${command}\``,
  ]
    .filter((l) => l.length > 0)
    .join('\n');
  await mkdir(plan.out, { recursive: true });
  const runs: RunResult[] = [];
  // Written after every run, so an interrupted experiment keeps what it finished.
  const save = async () => {
    await writeFile(join(plan.out, 'results.json'), JSON.stringify({ command, backend: describeBackend(backend), complete: runs.length === specs.length, runs, paired: pairedComparisons(runs) }, null, 2) + '\n');
    await writeFile(join(plan.out, 'summary.md'), summarize(runs, header));
  };
  const progress = new Progress(runsPlanned.reduce((n, r) => n + r.config.steps, 0), plan.progress);
  // lsq+kd distils from the fp32 run of the same model and seed: kept from this experiment, or trained for it.
  const fp32Models = new Map<string, TrainingSession>();
  const kdTeacher = async (spec: RunSpec) => {
    const key = `${spec.model}|${spec.seed}`;
    if (!fp32Models.has(key)) {
      progress.runDone(`training the full-precision teacher for ${runLabel(spec)}`);
      const fp = { ...spec, method: 'fp32' as const, wbits: 32, abits: 32 };
      fp32Models.set(key, (await trainRun(ds, configOf(plan, fp), backend.name, () => {})).session);
    }
    return fp32Models.get(key)!.model;
  };
  const needsTeacher = (spec: RunSpec) => specs.some((s) => s.method === 'lsq+kd' && s.model === spec.model && s.seed === spec.seed);
  try {
    for (const { spec, config } of runsPlanned) {
      const label = runLabel(spec);
      const teacher = spec.method === 'lsq+kd' ? await kdTeacher(spec) : null;
      const { result, session } = await trainRun(ds, config, backend.name, () => progress.tick(label), teacher);
      if (plan.hessian) {
        progress.runDone(`${label}: measuring the Hessian (top ${plan.hessian.top}, trace)`);
        const h = await measureHessian(session, plan.hessian.top, { settings: { samples: plan.hessian.samples, includeSteps: false } });
        Object.assign(result, { hessianTop: h.top, hessianTrace: h.trace, hessianTraceStderr: h.traceStderr, hessianIterations: h.iterations, hessianConverged: h.converged });
      }
      if (plan.saveModels) {
        result.modelFile = `${label.replace(/[^\w.+-]+/g, '-')}.model.json`;
        const file = await serializeModel(session.model, session.config, session.step, { dataset: ds.name, normalization: session.norm });
        await writeFile(join(plan.out, result.modelFile), file);
      }
      if (spec.method === 'fp32' && needsTeacher(spec)) fp32Models.set(`${spec.model}|${spec.seed}`, session);
      else session.dispose();
      runs.push(result);
      await save();
      progress.runDone(`${label}: test accuracy ${(100 * result.testAccuracy).toFixed(2)}%, ${result.msPerStep.toFixed(1)} ms/step`);
    }
  } finally {
    progress.stop();
    for (const s of fp32Models.values()) s.dispose();
  }
  process.stdout.write(summarize(runs, header));
  process.stderr.write(`wrote ${join(plan.out, 'results.json')} and summary.md\n`);
  return 0;
}

main(process.argv.slice(2))
  .then((code) => {
    uninstallNodeWebGPU();
    process.exitCode = code;
  })
  .catch((e: unknown) => {
    uninstallNodeWebGPU();
    process.stderr.write(`experiment: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
