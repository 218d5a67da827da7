/// <reference lib="webworker" />
/**
 * Owns one training run: the engine, its backend and its session. Commands in, status and batched metrics out.
 * Training never runs on the page's main thread.
 */
import * as tf from '@tensorflow/tfjs';
import { SHIPPED_DATASET, type DatasetName } from '../config/playground-config';
import { initBackend } from '../engine/backend/select';
import type { Dataset } from '../engine/data/types';
import { serializeModel } from '../engine/export/model-file';
import { HessianAbortedError } from '../engine/hessian/lanczos';
import { SharpnessTracker, type SharpnessMode } from '../engine/hessian/live-sharpness';
import { measureHessian } from '../engine/hessian/measure';
import { stepSizes } from '../engine/inspect/step-sizes';
import type { TrainConfigInput } from '../engine/train/config';
import { TrainingDivergedError, type EvalMetrics, type SessionListener, type StepMetrics } from '../engine/train/metrics';
import { TrainingSession } from '../engine/train/session';
import { inspectionBuffers, inspectRun } from './inspect-run';
import { classifyPool, poolPredictionBuffers, UserImages } from './user-images';
import { WeightGuard } from './weight-guard';
import { loadShippedFashionMnist } from './load-dataset';
import { batchBuffers, MetricBatcher } from './metric-batcher';
import type { RunErrorKind, RunPhase, WorkerCommand, WorkerEvent } from './protocol';
import { WASM_PATHS } from './wasm-assets';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** How often the learned step sizes are sampled for their chart. */
const STEP_SIZE_INTERVAL_MS = 500;

function post(event: WorkerEvent, transfer: Transferable[] = []): void {
  scope.postMessage(event, transfer);
}

const batcher = new MetricBatcher((batch) => post({ type: 'metrics', batch }, batchBuffers(batch)));
const datasets = new Map<DatasetName, Dataset>();
let datasetName: DatasetName = SHIPPED_DATASET;
/** The images a person added on the page, for the unlabeled pool. */
const userImages = new UserImages();
const weights = new WeightGuard();
let config: TrainConfigInput = {};
let session: TrainingSession | null = null;
let lastStepSizes = -Infinity;
let sharpness: { mode: SharpnessMode; every: number } = { mode: 'off', every: 50 };
let tracker: SharpnessTracker | null = null;
/** Time spent training and on live Hessian estimates, for the share the page shows. */
let trainMs = 0;
let hessianMs = 0;
/** Stops a Hessian estimate between two products when the run is paused. */
let hessianAbort = new AbortController();

function phase(p: RunPhase): void {
  post({ type: 'phase', phase: p, step: session?.step ?? 0, totalSteps: session?.config.steps ?? config.steps ?? 0 });
}

function sampleStepSizes(s: TrainingSession): void {
  lastStepSizes = performance.now();
  const step = s.step;
  stepSizes(s.model)
    .then(({ names, values }) => {
      if (names.length > 0) post({ type: 'step-sizes', step, names, values }, [values.buffer as ArrayBuffer]);
    })
    .catch(() => {
      // The session was disposed mid-read (reset); the next sample comes from the next session.
    });
}

const listener: SessionListener = {
  onStep: (m: StepMetrics) => {
    trainMs += m.msPerStep;
    batcher.push(m);
    if (m.step === 1) phase('running');
    const s = session;
    if (s && (performance.now() - lastStepSizes >= STEP_SIZE_INTERVAL_MS || m.step === 1 || m.step === s.config.steps)) sampleStepSizes(s);
  },
  onEval: (metrics: EvalMetrics) => {
    batcher.flush();
    post({ type: 'eval', metrics });
  },
  afterStep: async (m: StepMetrics) => {
    const s = session;
    if (!s || !tracker || (m.step % sharpness.every !== 0 && m.step !== s.config.steps)) return;
    try {
      const t = tracker;
      const estimate = await weights.perturb(() => t.estimate(s, hessianAbort.signal));
      hessianMs += estimate.ms;
      batcher.flush();
      post({ type: 'sharpness', estimate, share: hessianMs / (hessianMs + trainMs) });
    } catch (e) {
      // A pause stops an estimate midway; the next one starts over.
      if (!(e instanceof HessianAbortedError)) throw e;
    }
  },
};

/** Drops every loaded dataset but the shipped one and `keep`. */
function keepOnlyDatasets(keep: DatasetName): void {
  for (const name of datasets.keys()) if (name !== SHIPPED_DATASET && name !== keep) datasets.delete(name);
}

async function loadDataset(name: DatasetName): Promise<Dataset> {
  const have = datasets.get(name);
  if (have) return have;
  if (name !== SHIPPED_DATASET) throw new Error(`${name} is not shipped with the page: load its files first (Bring your own data)`);
  phase('loading-data');
  const ds = await loadShippedFashionMnist();
  datasets.set(name, ds);
  return ds;
}

/** The session being built (the dataset may still be loading), so that commands arriving meanwhile share it. */
let building: Promise<TrainingSession> | null = null;
/** Counts configures and resets, so a session whose data finished loading after one of them is dropped. */
let generation = 0;

function ensureSession(): Promise<TrainingSession> {
  if (session) return Promise.resolve(session);
  if (!building) {
    const mine = generation;
    building = (async () => {
      try {
        const ds = await loadDataset(datasetName);
        if (mine !== generation) throw new Error('the run was reconfigured while its data loaded');
        session = new TrainingSession(ds, config);
        reportPool(session);
        return session;
      } catch (e) {
        // The next command tries again (a network hiccup need not stick).
        if (mine === generation) building = null;
        throw e;
      }
    })();
  }
  return building;
}

/** Puts the added images into the session's unlabeled pool (when they fit its input) and says what the pool holds. */
function reportPool(s: TrainingSession): void {
  const added = userImages.applyTo(s);
  const c = s.config;
  post({ type: 'pool', size: s.unlabeledPool.size, added, used: c.method === 'lsq+cr' && c.cr.unlabeledRatio > 0 && c.cr.lambda.max > 0 });
}

/**
 * Runs a read of the trained model (predictions, histograms, the model file) while its weights are as trained.
 * Null when the session was reset or reconfigured meanwhile: the result, or the error of a model freed under it,
 * belongs to a run that no longer exists.
 */
async function readSession<T>(s: TrainingSession, fn: (s: TrainingSession) => Promise<T>): Promise<T | null> {
  try {
    const out = await weights.read(() => fn(s));
    return session === s ? out : null;
  } catch (e) {
    if (session !== s) return null;
    throw e;
  }
}

/** The session, for commands that look at a trained model; none before the first step. */
function trainedSession(what: string): TrainingSession {
  if (!session || session.step === 0) throw new Error(`${what}: the run has not trained yet`);
  return session;
}

/** Runs until pause or the end, then reports where it stopped. */
async function train(s: TrainingSession): Promise<void> {
  // The first step compiles shaders (webgpu) or warms up; say so rather than look frozen.
  phase(s.step === 0 ? 'compiling' : 'running');
  await s.start(listener);
  batcher.flush();
  phase(s.state);
}

/** Reports a lost WebGPU device (driver reset, GPU process crash) as this run's error. */
function watchDevice(): void {
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  device?.lost.then((info) => {
    if (info.reason !== 'destroyed') post({ type: 'error', kind: 'device-lost', message: `the GPU device was lost: ${info.message || 'no reason given'}` });
  });
}

function disposeSession(): void {
  session?.dispose();
  session = null;
  building = null;
  generation++;
  tracker = sharpness.mode === 'off' ? null : new SharpnessTracker(sharpness.mode);
  trainMs = 0;
  hessianMs = 0;
}

/**
 * Commands that move or perturb the weights (training, a step, a spectrum, an evaluation) run one at a time, in
 * order: a Hessian product shifts the weights while it waits for a read, and nothing may step in between.
 */
let chain: Promise<void> = Promise.resolve();
/** The exclusive job now running, so a pause can wait for it to stop. */
let active: Promise<void> | null = null;

function exclusive(job: () => Promise<void>): Promise<void> {
  const run = chain.then(() => {
    active = job();
    return active.finally(() => (active = null));
  });
  chain = run.catch(() => undefined);
  return run;
}

/** Pauses the session, cutting short a Hessian estimate or spectrum in progress, and waits until they stopped. */
async function pauseSession(): Promise<void> {
  hessianAbort.abort();
  await session?.pause();
  await active?.catch(() => undefined);
  await weights.settled();
  hessianAbort = new AbortController();
}

async function handle(cmd: WorkerCommand): Promise<void> {
  switch (cmd.type) {
    case 'init': {
      phase('starting');
      const report = await initBackend(cmd.backend, { wasmPaths: WASM_PATHS, wasmThreads: navigator.hardwareConcurrency });
      if (report.name === 'webgpu') watchDevice();
      post({ type: 'backend', report });
      return;
    }
    case 'dataset':
      // Each can be ~180 MB: keep the shipped one, the one in use and this one (which a configure will name).
      keepOnlyDatasets(datasetName);
      datasets.set(cmd.id, cmd.dataset);
      return;
    case 'unlabeled':
      userImages.set(cmd.ids, cmd.images, cmd.shape);
      // Between two steps: the next unlabeled batch already draws from the new pool.
      if (session) reportPool(session);
      return;
    case 'classify-pool': {
      if (!session || session.step === 0) return;
      const predictions = await readSession(session, (s) => classifyPool(s, userImages, cmd.ids));
      if (predictions) post({ type: 'pool-predictions', predictions }, poolPredictionBuffers(predictions));
      return;
    }
    case 'configure':
      await pauseSession();
      sharpness = cmd.sharpness;
      disposeSession();
      config = cmd.config;
      datasetName = cmd.dataset;
      // The session that used another loaded dataset is gone: its copy can go too.
      keepOnlyDatasets(datasetName);
      phase('ready');
      return;
    case 'start':
    case 'resume':
      await exclusive(async () => train(await ensureSession()));
      return;
    case 'pause':
      // Also stops a spectrum in progress.
      await pauseSession();
      batcher.flush();
      if (session) phase(session.state);
      return;
    case 'step':
      await exclusive(async () => {
        const s = await ensureSession();
        if (s.state === 'done' || s.state === 'failed') return;
        // Busy while the step (and its evaluation or sharpness estimate) runs, so the page waits for it.
        phase('running');
        try {
          await s.stepOnce(listener);
        } finally {
          batcher.flush();
          sampleStepSizes(s);
          phase(s.state);
        }
      });
      return;
    case 'evaluate':
      await exclusive(async () => {
        const s = await ensureSession();
        post({ type: 'eval', metrics: await s.evaluate('test') });
      });
      return;
    case 'inspect': {
      // Nothing to look at before the first step (and no session to build for it).
      if (!session || session.step === 0) return;
      const s = session;
      const inspection = await readSession(s, (x) => inspectRun(x, cmd.images));
      if (!inspection) return;
      post({ type: 'inspection', inspection }, inspectionBuffers(inspection));
      return;
    }
    case 'spectrum':
      await exclusive(async () => {
        const s = trainedSession('spectrum');
        phase('hessian');
        try {
          const summary = await weights.perturb(() => measureHessian(s, cmd.k, { settings: { samples: cmd.samples, includeSteps: false }, signal: hessianAbort.signal }));
          post({ type: 'spectrum', step: s.step, summary });
        } catch (e) {
          if (!(e instanceof HessianAbortedError)) throw e;
        } finally {
          phase(s.state);
        }
      });
      return;
    case 'export-model': {
      const s = trainedSession('model export');
      const file = await readSession(s, async (x) => ({ text: await serializeModel(x.model, x.config, x.step), steps: x.step }));
      if (file) post({ type: 'model-file', ...file });
      return;
    }
    case 'reset':
      await pauseSession();
      disposeSession();
      phase('ready');
      return;
    case 'dispose':
      await pauseSession();
      disposeSession();
      tf.disposeVariables();
      scope.close();
      return;
  }
}

function errorKind(err: unknown): RunErrorKind {
  return err instanceof TrainingDivergedError ? 'diverged' : 'failed';
}

scope.onmessage = (e: MessageEvent<WorkerCommand>) => {
  handle(e.data).catch((err: unknown) => {
    batcher.flush();
    post({ type: 'error', kind: errorKind(err), message: err instanceof Error ? err.message : String(err) });
    // Without a session (its data failed to load) the run is back where it started, so the page is not stuck.
    phase(session ? session.state : 'ready');
  });
};
