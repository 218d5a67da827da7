/// <reference lib="webworker" />
/**
 * Owns one training run: the engine, its backend and its session. Commands in, status and batched metrics out.
 * Training never runs on the page's main thread.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../engine/backend/select';
import type { Dataset } from '../engine/data/types';
import type { TrainConfigInput } from '../engine/train/config';
import type { EvalMetrics, SessionListener, StepMetrics } from '../engine/train/metrics';
import { TrainingSession } from '../engine/train/session';
import { loadShippedFashionMnist } from './load-dataset';
import { batchBuffers, MetricBatcher } from './metric-batcher';
import type { RunPhase, WorkerCommand, WorkerEvent } from './protocol';
import { WASM_PATHS } from './wasm-assets';

const scope = self as unknown as DedicatedWorkerGlobalScope;

function post(event: WorkerEvent, transfer: Transferable[] = []): void {
  scope.postMessage(event, transfer);
}

const batcher = new MetricBatcher((batch) => post({ type: 'metrics', batch }, batchBuffers(batch)));
let dataset: Dataset | null = null;
let config: TrainConfigInput = {};
let session: TrainingSession | null = null;

function phase(p: RunPhase): void {
  post({ type: 'phase', phase: p, step: session?.step ?? 0, totalSteps: session?.config.steps ?? config.steps ?? 0 });
}

const listener: SessionListener = {
  onStep: (m: StepMetrics) => {
    batcher.push(m);
    if (m.step === 1) phase('running');
  },
  onEval: (metrics: EvalMetrics) => {
    batcher.flush();
    post({ type: 'eval', metrics });
  },
};

async function ensureSession(): Promise<TrainingSession> {
  if (session) return session;
  if (!dataset) {
    phase('loading-data');
    dataset = await loadShippedFashionMnist();
  }
  session = new TrainingSession(dataset, config);
  return session;
}

/** Runs until pause or the end, then reports where it stopped. */
async function train(s: TrainingSession): Promise<void> {
  // The first step compiles shaders (webgpu) or warms up; say so rather than look frozen.
  if (s.step === 0) phase('compiling');
  else phase('running');
  await s.start(listener);
  batcher.flush();
  phase(s.state);
}

async function handle(cmd: WorkerCommand): Promise<void> {
  switch (cmd.type) {
    case 'init': {
      phase('starting');
      const report = await initBackend(cmd.backend, { wasmPaths: WASM_PATHS, wasmThreads: navigator.hardwareConcurrency });
      post({ type: 'backend', report });
      return;
    }
    case 'configure':
      session?.dispose();
      session = null;
      config = cmd.config;
      phase('ready');
      return;
    case 'start':
    case 'resume':
      await train(await ensureSession());
      return;
    case 'pause':
      await session?.pause();
      batcher.flush();
      if (session) phase(session.state);
      return;
    case 'step': {
      const s = await ensureSession();
      await s.stepOnce(listener);
      batcher.flush();
      phase(s.state);
      return;
    }
    case 'evaluate': {
      const s = await ensureSession();
      post({ type: 'eval', metrics: await s.evaluate('test') });
      return;
    }
    case 'reset':
      await session?.pause();
      session?.dispose();
      session = null;
      phase('ready');
      return;
    case 'dispose':
      await session?.pause();
      session?.dispose();
      session = null;
      tf.disposeVariables();
      scope.close();
      return;
  }
}

scope.onmessage = (e: MessageEvent<WorkerCommand>) => {
  handle(e.data).catch((err: unknown) => {
    batcher.flush();
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    if (session) phase(session.state);
  });
};
