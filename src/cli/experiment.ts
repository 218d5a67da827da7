/**
 * Headless experiments: methods × bit widths × seeds on one dataset, written to DIR/results.json and
 * DIR/summary.md. Usage: npm run experiment -- --help
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { installNodeWebGPU, uninstallNodeWebGPU } from '../engine/backend/node-webgpu';
import { describeBackend, initBackend } from '../engine/backend/select';
import { parseExperimentArgs, USAGE, UsageError } from './experiment-args';
import { loadDatasetNode } from './load-dataset';
import { Progress } from './progress';
import { summarize, type RunResult } from './results';
import { expandRuns, runLabel, trainRun } from './run-experiment';

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

  const specs = expandRuns(plan.models, plan.methods, plan.bits, plan.seeds);
  const steps = plan.base.steps ?? 0;
  const command = `npm run experiment -- ${argv.join(' ')}`.trim();
  const header = `Dataset ${ds.name}, ${plan.base.labeled} labeled images, ${steps} steps of batch ${plan.base.batchSize}, backend ${describeBackend(backend)}.\nCommand: \`${command}\``;
  await mkdir(plan.out, { recursive: true });
  const runs: RunResult[] = [];
  // Written after every run, so an interrupted experiment keeps what it finished.
  const save = async () => {
    await writeFile(join(plan.out, 'results.json'), JSON.stringify({ command, backend: describeBackend(backend), complete: runs.length === specs.length, runs }, null, 2) + '\n');
    await writeFile(join(plan.out, 'summary.md'), summarize(runs, header));
  };
  const progress = new Progress(specs.length * steps, plan.progress);
  try {
    for (const spec of specs) {
      const label = runLabel(spec);
      const r = await trainRun(ds, plan.base, spec, backend.name, () => progress.tick(label));
      runs.push(r);
      await save();
      progress.runDone(`${label}: test accuracy ${(100 * r.testAccuracy).toFixed(2)}%, ${r.msPerStep.toFixed(1)} ms/step`);
    }
  } finally {
    progress.stop();
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
