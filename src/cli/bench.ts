/**
 * Training-step speed: a model, batch, backend, method and webgpu kernel set from a fixed seed; prints ms/step
 * (batch assembly included), images/s and the final loss (`--json`: one JSON line). `--profile` then runs as many
 * steps again under tf.profile and lists the ten kernels with the most time. Every result also gives the GPU
 * launches per timed step (webgpu; null elsewhere) and wasm's thread count (`--threads N` asks for N). The timed
 * steps run through the training loop, which queues step t+1 before reading step t back (`--no-overlap`: it does not).
 * Usage: npm run bench -- --model cnn-small --batch 64 --steps 20 --backend webgpu --kernels custom --profile
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { installNodeWebGPU, uninstallNodeWebGPU } from '../node/webgpu';
import { BACKEND_NAMES, type BackendChoice, countLaunches, describeBackend, initBackend, type KernelProfile, MODEL_NAMES, type ModelName, profileKernels, TrainingSession, KERNEL_SETS as WEBGPU_KERNEL_SETS, type KernelSet as WebgpuKernelSet } from '../engine';
import { loadFashionMnistNode } from '../node/project-files';

const BENCH_METHODS = ['lsq', 'lsq+cr', 'fp32'] as const;
type BenchMethod = (typeof BENCH_METHODS)[number];
const PROFILE_ROWS = 10;
/**
 * Learning rates at which the loss falls from the first steps: with 0.05 (or 0.01) the CNN's loss climbs above
 * chance at first, which would make "same loss" a weak check (wasm, batch 16, 12 steps: 4.58 at 0.05, 3.60 at
 * 0.01, 1.80 at 0.003). resnet20 takes cnn-small's; it has not been tuned.
 */
const DEFAULT_LR: Record<ModelName, number> = { mlp: 0.05, 'mlp-narrow': 0.05, 'cnn-tiny': 0.05, 'cnn-small': 0.003, resnet20: 0.003 };
/** lsq+cr draws its unlabeled batch from the training images outside the labeled subset. */
const CR_LABELED = 1000;

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

interface BenchArgs {
  model: ModelName;
  batch: number;
  steps: number;
  warmup: number;
  backend: BackendChoice;
  method: BenchMethod;
  kernels: WebgpuKernelSet;
  lr: number;
  /** wasm's thread count; null leaves the backend's default. */
  threads: number | null;
  json: boolean;
  profile: boolean;
  /** Queue step t+1 before reading step t back (the training loop's default); --no-overlap reads every step first. */
  overlap: boolean;
}

function parseBenchArgs(): BenchArgs {
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
        kernels: { type: 'string', default: 'custom' },
        lr: { type: 'string' },
        threads: { type: 'string' },
        json: { type: 'boolean', default: false },
        profile: { type: 'boolean', default: false },
        'no-overlap': { type: 'boolean', default: false },
      },
    }).values;
  } catch (e) {
    fail((e as Error).message.split('\n')[0]);
  }
  const model = v.model as ModelName;
  if (!MODEL_NAMES.includes(model)) fail(`--model: "${v.model}" is not one of ${MODEL_NAMES.join(', ')}`);
  const backend = v.backend as BackendChoice;
  if (!['auto', ...BACKEND_NAMES].includes(backend)) fail(`--backend: "${v.backend}" is not auto or one of ${BACKEND_NAMES.join(', ')}`);
  const method = v.method as BenchMethod;
  if (!BENCH_METHODS.includes(method)) fail(`--method: "${v.method}" is not one of ${BENCH_METHODS.join(', ')}`);
  const kernels = v.kernels as WebgpuKernelSet;
  if (!WEBGPU_KERNEL_SETS.includes(kernels)) fail(`--kernels: "${v.kernels}" is not one of ${WEBGPU_KERNEL_SETS.join(', ')}`);
  const [batch, steps, warmup] = [v.batch, v.steps, v.warmup].map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
  if (!(batch > 0 && steps > 0 && warmup >= 0)) fail('--batch and --steps must be positive integers, --warmup an integer ≥ 0');
  const lr = v.lr === undefined ? DEFAULT_LR[model] : Number(v.lr);
  if (!(lr > 0 && Number.isFinite(lr))) fail(`--lr: "${v.lr}" is not a positive number`);
  const threads = v.threads === undefined ? null : /^\d+$/.test(v.threads) ? Number(v.threads) : NaN;
  if (threads !== null && !(threads > 0)) fail(`--threads: "${v.threads}" is not a positive integer`);
  return { model, batch, steps, warmup, backend, method, kernels, lr, threads, json: v.json, profile: v.profile, overlap: !v['no-overlap'] };
}

/**
 * Dawn rounds timestamps to 65.5 µs unless its timestamp_quantization toggle is off, which is coarser than many
 * kernels on a real GPU. Profiling runs give Node its navigator.gpu with the toggle off; installNodeWebGPU then
 * finds it and leaves it alone.
 */
async function installWebGPUForProfiling(): Promise<void> {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu) return;
  try {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    const gpu = create(['disable-dawn-features=timestamp_quantization']);
    if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
    else Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: 'node' }, configurable: true, writable: true });
  } catch {
    // No Dawn: installNodeWebGPU reports the same and the backend falls back.
  }
}

function profileTable(p: KernelProfile, steps: number): string {
  const what = {
    'gpu-timestamps': 'GPU time from timestamp queries (while profiling every dispatch gets a compute pass of its own)',
    unavailable: 'no kernel times: this WebGPU device lacks timestamp-query, so only calls and launches are counted',
    'wall-clock': 'wall-clock time per kernel call on the CPU (a composite kernel includes the kernels it called)',
  }[p.timing];
  const lines = [
    `profile over ${steps} more step${steps === 1 ? '' : 's'} after the timed ones: ${what}`,
    `total ${(p.totalMs / steps).toFixed(2)} ms/step in kernels` + (p.totalLaunches > 0 ? `, ${(p.totalLaunches / steps).toFixed(0)} GPU launches/step` : ''),
    `${'kernel'.padEnd(28)} ${'ms/step'.padStart(10)} ${'share'.padStart(7)} ${'calls/step'.padStart(11)}${p.totalLaunches > 0 ? ' launches/step'.padStart(15) : ''}`,
  ];
  for (const k of p.kernels.slice(0, PROFILE_ROWS)) {
    const share = p.totalMs > 0 ? `${((100 * k.ms) / p.totalMs).toFixed(1)}%` : '-';
    lines.push(
      `${k.name.padEnd(28)} ${(k.ms / steps).toFixed(2).padStart(10)} ${share.padStart(7)} ${(k.calls / steps).toFixed(1).padStart(11)}` +
        (p.totalLaunches > 0 ? (k.launches / steps).toFixed(1).padStart(15) : ''),
    );
  }
  return `${lines.join('\n')}\n`;
}

function profileJson(p: KernelProfile, steps: number) {
  return {
    timing: p.timing,
    steps,
    msPerStep: p.totalMs / steps,
    launchesPerStep: p.totalLaunches / steps,
    // Every kernel, so launch counts add up to the total (the text table shows the top ones).
    kernels: p.kernels.map((k) => ({
      name: k.name,
      msPerStep: k.ms / steps,
      share: p.totalMs > 0 ? k.ms / p.totalMs : null,
      callsPerStep: k.calls / steps,
      launchesPerStep: k.launches / steps,
    })),
  };
}

/**
 * tfjs-backend-wasm 4.22 decides thread support with WASM_HAS_MULTITHREAD_SUPPORT, which is false under Node, so
 * in Node wasm runs one thread whatever is asked; in a browser its threaded build honours the count.
 */
const WASM_NODE_NOTE = typeof window === 'undefined' ? ' (tfjs-backend-wasm 4.22 runs one thread under Node)' : '';

/** XNNPACK's threads on wasm; 1 on the other backends, which have no such setting. */
async function threadCount(backendName: string): Promise<number> {
  if (backendName !== 'wasm') return 1;
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  return wasm.getThreadsCount();
}

async function main(): Promise<void> {
  tf.env().set('PROD', true);
  const a = parseBenchArgs();
  const ds = await loadFashionMnistNode();
  if (a.backend === 'auto' || a.backend === 'webgpu') {
    if (a.profile) await installWebGPUForProfiling();
    await installNodeWebGPU();
  }
  const backend = await initBackend(a.backend, { webgpuKernels: a.kernels, ...(a.threads === null ? {} : { wasmThreads: a.threads }) });
  const threads = await threadCount(backend.name);
  const profiledSteps = a.profile ? a.steps : 0;
  // Two more steps than are timed (the loop may queue one past a pause), so the end-of-run evaluation never enters.
  const session = new TrainingSession(ds, {
    model: a.model,
    method: a.method,
    batchSize: a.batch,
    lr: a.lr,
    steps: a.warmup + a.steps + profiledSteps + 2,
    labeled: a.method === 'lsq+cr' ? CR_LABELED : ds.train.count,
    evalEvery: 0,
    augment: { translate: 0, flip: false },
  });
  // Warm-up steps one at a time; then the timed ones through the training loop, as the page trains.
  for (let i = 0; i < a.warmup; i++) await session.trainStep();
  // The first step creates state (activation step sizes, optimizer slots): count tensors only after it.
  const tensorsBefore = a.warmup > 0 ? tf.memory().numTensors : NaN;
  const launches = countLaunches();
  const lastTimed = a.warmup + a.steps;
  let loss = NaN;
  let timed = 0;
  await session.start(
    {
      onStep: (m) => {
        if (m.step > lastTimed) return;
        timed += m.msPerStep;
        loss = m.loss;
        if (m.step === lastTimed) void session.pause();
      },
    },
    { overlap: a.overlap },
  );
  // Launches over every step the loop ran: the timed ones and any queued past the pause.
  const launchesPerStep = launches ? launches.count / (session.step - a.warmup) : null;
  launches?.stop();
  const leaked = Number.isNaN(tensorsBefore) ? 0 : tf.memory().numTensors - tensorsBefore;
  const profile = a.profile
    ? await profileKernels(async () => {
        for (let i = 0; i < profiledSteps; i++) await session.trainStep();
      })
    : null;
  const msPerStep = timed / a.steps;
  const kernels = backend.name === 'webgpu' ? a.kernels : 'n/a';
  const row = {
    model: a.model,
    batch: a.batch,
    backend: backend.name,
    kernels,
    method: a.method,
    msPerStep,
    imagesPerSecond: (1000 * a.batch) / msPerStep,
    loss,
    launchesPerStep,
    threads,
    overlap: a.overlap,
  };
  if (a.json) {
    process.stdout.write(`${JSON.stringify(profile ? { ...row, profile: profileJson(profile, profiledSteps) } : row)}\n`);
  } else {
    process.stdout.write(
      `${a.model} ${a.method} batch ${a.batch} on ${describeBackend(backend)}: ${msPerStep.toFixed(1)} ms/step, ` +
        `${row.imagesPerSecond.toFixed(0)} images/s, loss ${loss.toFixed(4)} (${a.steps} timed steps after ${a.warmup} warm-up)` +
        (launchesPerStep === null ? '' : `, ${launchesPerStep} GPU launches/step`) +
        (backend.name === 'wasm' ? `, ${threads} thread${threads === 1 ? '' : 's'}` : '') +
        '\n',
    );
    if (profile) process.stdout.write(profileTable(profile, profiledSteps));
  }
  if (a.threads !== null && a.threads !== threads) {
    process.stderr.write(`bench: --threads ${a.threads} asked for, ${threads} used` + (backend.name === 'wasm' ? `${WASM_NODE_NOTE}\n` : ` (${backend.name} has no thread setting)\n`));
  }
  if (leaked !== 0) process.stderr.write(`bench: ${leaked} tensors more after the timed steps than before them\n`);
  if (Number.isNaN(tensorsBefore)) process.stderr.write('bench: tensor count not checked (it needs a warm-up step)\n');
  session.dispose();
}

main()
  .catch((e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  })
  .finally(uninstallNodeWebGPU);
