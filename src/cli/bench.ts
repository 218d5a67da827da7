/**
 * Training-step speed: a model, batch, backend and step count from a fixed seed; prints ms/step, images/s and the
 * final loss (`--json`: one JSON line). Usage: npm run bench -- --model cnn-small --batch 64 --steps 20 --backend wasm
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { installNodeWebGPU, uninstallNodeWebGPU } from '../engine/backend/node-webgpu';
import { describeBackend, initBackend } from '../engine/backend/select';
import { BACKEND_NAMES, type BackendChoice } from '../engine/backend/types';
import { loadFashionMnistNode } from '../engine/data/node-files';
import { MODEL_NAMES, type ModelName } from '../engine/models';
import { TrainingSession } from '../engine/train/session';

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  tf.env().set('PROD', true);
  let v;
  try {
    v = parseArgs({
      options: {
        model: { type: 'string', default: 'cnn-small' },
        batch: { type: 'string', default: '64' },
        steps: { type: 'string', default: '20' },
        warmup: { type: 'string', default: '2' },
        backend: { type: 'string', default: 'auto' },
        method: { type: 'string', default: 'lsq' },
        json: { type: 'boolean', default: false },
      },
    }).values;
  } catch (e) {
    fail((e as Error).message.split('\n')[0]);
  }
  const model = v.model as ModelName;
  if (!MODEL_NAMES.includes(model)) fail(`--model: "${v.model}" is not one of ${MODEL_NAMES.join(', ')}`);
  const backendChoice = v.backend as BackendChoice;
  if (!['auto', ...BACKEND_NAMES].includes(backendChoice)) fail(`--backend: "${v.backend}" is not auto or one of ${BACKEND_NAMES.join(', ')}`);
  if (v.method !== 'lsq' && v.method !== 'fp32') fail(`--method: "${v.method}" is not lsq or fp32`);
  const [batch, steps, warmup] = [v.batch, v.steps, v.warmup].map(Number);
  if (![batch, steps].every((n) => Number.isInteger(n) && n > 0) || !(Number.isInteger(warmup) && warmup >= 0)) fail('--batch and --steps must be positive integers, --warmup ≥ 0');

  const ds = await loadFashionMnistNode();
  if (backendChoice === 'auto' || backendChoice === 'webgpu') await installNodeWebGPU();
  const backend = await initBackend(backendChoice);
  // One more step than is run, so the session's end-of-run evaluation never enters the timing.
  const session = new TrainingSession(ds, {
    model,
    method: v.method as 'lsq' | 'fp32',
    batchSize: batch,
    steps: warmup + steps + 1,
    labeled: ds.train.count,
    evalEvery: 0,
    augment: { translate: 0, flip: false },
  });
  let loss = NaN;
  let timed = 0;
  for (let i = 0; i < warmup + steps; i++) {
    const m = await session.trainStep();
    loss = m.loss;
    if (i >= warmup) timed += m.msPerStep;
  }
  const msPerStep = timed / steps;
  const row = { model, batch, backend: backend.name, method: v.method, msPerStep, imagesPerSecond: (1000 * batch) / msPerStep, loss };
  if (v.json) process.stdout.write(`${JSON.stringify(row)}\n`);
  else process.stdout.write(`${model} ${v.method} batch ${batch} on ${describeBackend(backend)}: ${msPerStep.toFixed(1)} ms/step, ${row.imagesPerSecond.toFixed(0)} images/s, loss ${loss.toFixed(4)}\n`);
  session.dispose();
}

main()
  .catch((e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  })
  .finally(uninstallNodeWebGPU);
