import { SHIPPED_DATASET, type PlaygroundConfig } from '../config/playground-config';
import { RUN_LABELS, runsOf, trainConfigFor, type RunId } from '../config/run-config';
import type { BackendChoice } from '../engine/backend/types';
import type { SessionCheckpoint } from '../engine/train/checkpoint';
import { downloadBlob, downloadText, fileStem } from '../export/download';
import { type RestoredRun, runLog, usePlayground } from '../store/playground-store';
import { logUpTo } from './saved-run-format';
import { TEST_HOOKS, TEST_TIME_SOFTWARE_WEBGPU } from './test-hooks';
import { useUserData } from '../store/user-data-store';
import { datasetVersion, loadedDataset } from './dataset-registry';
import { poolPayload } from './pool-payload';
import { TrainingWorkerClient } from './training-client';
import type { SettingsChange } from '../engine/vocabulary/settings-change';
import type { StampedEvent, WorkerCommand, WorkerEvent } from '../worker/protocol';

/** Eigenvalues per run in the spectrum view (the paper's Figure 5 uses the top 50). */
export const SPECTRUM_K = 50;

/** Test images in the "looking inside" grid. */
export const INSPECT_IMAGES = 20;

/** Test images shown for an opened confusion cell. */
export const CELL_IMAGES = 24;

interface Slot {
  client: TrainingWorkerClient;
  backend: BackendChoice;
  /** Which loaded dataset (id and version) this Worker holds a copy of: copies are large, so each is sent once. */
  dataset: string | null;
  /**
   * The generation of the last configure or reset sent: what the Worker stamped with an older one (the last metrics
   * and phases of a run being stopped, crossing the command in flight) belongs to the run it is dropping, not to
   * the clean view that replaced it.
   */
  gen: number;
  /** The seed it was last configured with: during a repetition, not the page's. */
  seed: number;
  /** The run's last checkpoint since its configure: a restart (lost device, crash) continues from it. */
  checkpoint: SessionCheckpoint | null;
}

const slots = new Map<RunId, Slot>();

/**
 * Streaming events (metrics, step sizes, evaluations) from both Workers are applied together at most this often:
 * each update redraws the charts, and the page must stay responsive while two runs train.
 */
const UPDATE_INTERVAL_MS = 500;
const STREAMING = new Set<WorkerEvent['type']>(['metrics', 'step-sizes', 'eval', 'quant-error', 'sharpness', 'inspection', 'pool-predictions']);
let queued: [RunId, WorkerEvent][] = [];
let timer: ReturnType<typeof setTimeout> | null = null;
let lastUpdate = -Infinity;

function flushEvents(): void {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  lastUpdate = performance.now();
  const events = queued;
  queued = [];
  if (events.length > 0) usePlayground.getState().applyEvents(events);
}

/** Reports of the Worker or its device stay true across a configure; everything else is about the dropped run. */
function outlivesConfigure(e: WorkerEvent): boolean {
  return e.type === 'backend' || e.type === 'pool' || e.type === 'model-file' || (e.type === 'error' && (e.kind === 'crashed' || e.kind === 'device-lost'));
}

function onEvent(id: RunId, slot: Slot, e: StampedEvent): void {
  if (e.gen < slot.gen && !outlivesConfigure(e)) return;
  if (e.type === 'checkpoint') {
    // The metrics of the steps it covers came before it: apply them first, so what is saved with it agrees.
    flushEvents();
    slot.checkpoint = e.checkpoint;
    checkpointSink?.(id, e.checkpoint);
    return;
  }
  if (e.type === 'model-file' || e.type === 'export-file') {
    const c = usePlayground.getState().config;
    const name = `${fileStem(c.model, c.wbits, c.abits, slot.seed)}-${id.replace('+', '-')}-step${e.steps}`;
    if (e.type === 'model-file') downloadText(e.text, `${name}.model.json`, 'application/json');
    else if (e.format === 'onnx') downloadBlob(new Blob([e.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), `${name}.onnx`);
    else downloadBlob(new Blob([e.bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), `${name}-pytorch.zip`);
  }
  // The other runs say what they predicted for the images of a cell this run opened.
  if (e.type === 'cell-images') {
    const indices = Array.from(e.cell.indices);
    for (const [other, o] of slots) if (other !== id && indices.length > 0) o.client.send({ type: 'test-predictions', indices });
  }
  queued.push([id, e]);
  // State changes (phase, errors, backend) show at once, together with the metrics before them.
  if (!STREAMING.has(e.type)) flushEvents();
  else if (timer === null) timer = setTimeout(flushEvents, Math.max(0, lastUpdate + UPDATE_INTERVAL_MS - performance.now()));
}

/** Drops queued events (they belong to runs that are being replaced). */
function dropQueued(id?: RunId): void {
  queued = id === undefined ? [] : queued.filter(([r]) => r !== id);
}

/** The runs side by side share the cores: each Worker's wasm backend gets its part of them (at least one). */
export function wasmThreadsPerRun(runs: number, cores = navigator.hardwareConcurrency || 1): number {
  return Math.max(1, Math.floor(cores / Math.max(1, runs)));
}

function spawn(id: RunId, backend: BackendChoice): Slot {
  // Events arrive asynchronously, after `slot` below exists.
  const client = new TrainingWorkerClient((e) => onEvent(id, slot, e), `training ${RUN_LABELS[id]}`);
  const slot: Slot = { client, backend, dataset: null, gen: 0, seed: 0, checkpoint: null };
  client.send({ type: 'init', backend, testHooks: TEST_HOOKS, timeSoftwareWebgpu: TEST_TIME_SOFTWARE_WEBGPU, wasmThreads: wasmThreadsPerRun(runsOf(usePlayground.getState().config).length) });
  slots.set(id, slot);
  return slot;
}

let checkpointSink: ((id: RunId, checkpoint: SessionCheckpoint) => void) | null = null;

/** Where the runs' checkpoints go (the saved runs, src/app/saved-runs.ts). */
export function setCheckpointSink(sink: typeof checkpointSink): void {
  checkpointSink = sink;
}

/**
 * Puts a run back as it was saved: its view (charts, evaluations, step) and, in its Worker, its session from the
 * checkpoint, paused there, so Resume continues it. The run must already be configured with the saved setup.
 */
export function restoreRun(id: RunId, saved: RestoredRun & { checkpoint: SessionCheckpoint }): void {
  const slot = slots.get(id);
  if (!slot) return;
  dropQueued(id);
  usePlayground.getState().restoreRun(id, { ...saved, settingsChanges: saved.checkpoint.settingsChanges?.applied ?? [] });
  sendDataset(slot, usePlayground.getState().config.dataset);
  slot.client.send({ type: 'restore', checkpoint: saved.checkpoint });
}

function unlabeledCommand(): WorkerCommand {
  const { images, target } = useUserData.getState();
  return { type: 'unlabeled', ...poolPayload(images, target), shape: target };
}

/** Gives the Worker its copy of a loaded dataset before a command that may build the session on it. */
function sendDataset(slot: Slot, dataset: string): void {
  const ds = dataset === SHIPPED_DATASET ? undefined : loadedDataset(dataset);
  const key = `${dataset}@${datasetVersion(dataset)}`;
  if (ds && slot.dataset !== key) {
    slot.client.send({ type: 'dataset', id: dataset, dataset: ds });
    slot.dataset = key;
  }
}

function configure(id: RunId, slot: Slot, c: PlaygroundConfig): void {
  sendDataset(slot, c.dataset);
  slot.client.send(unlabeledCommand());
  slot.seed = c.seed;
  slot.checkpoint = null;
  slot.client.send({ type: 'configure', dataset: c.dataset, config: trainConfigFor(c, id), sharpness: { mode: c.sharpness, every: c.sharpnessEvery }, gen: ++slot.gen });
}

/**
 * Brings the Workers in line with the config: one per run, on the chosen backend, configured and ready. Every run
 * starts over. Workers whose backend still fits are kept (starting a backend costs seconds).
 */
export function syncRuns(c: PlaygroundConfig): void {
  const ids = runsOf(c);
  for (const [id, slot] of slots) {
    if (!ids.includes(id) || slot.backend !== c.backend) {
      slot.client.terminate();
      slots.delete(id);
    }
  }
  dropQueued();
  usePlayground.getState().resetRuns(ids);
  for (const id of ids) configure(id, slots.get(id) ?? spawn(id, c.backend), c);
}

/**
 * Trains these runs with config `c` (the page's setup with another seed, or the page's own again) from a clean view,
 * starting them when `start`; the other runs (the FP32 reference) are left as they are. Each keeps its Worker
 * unless it is listed in `fresh` (its Worker crashed or lost its device) or the backend changed.
 */
export function configureRuns(c: PlaygroundConfig, ids: readonly RunId[], opts: { start: boolean; fresh?: readonly RunId[] }): void {
  for (const id of ids) {
    const kept = slots.get(id);
    const renew = !kept || kept.backend !== c.backend || (opts.fresh?.includes(id) ?? false);
    if (renew) {
      kept?.client.terminate();
      slots.delete(id);
    }
    dropQueued(id);
    usePlayground.getState().resetRun(id, !renew);
    const slot = renew ? spawn(id, c.backend) : kept!;
    configure(id, slot, c);
    if (opts.start) slot.client.send({ type: 'start' });
  }
}

function send(type: 'start' | 'pause' | 'resume' | 'step' | 'reset'): void {
  // The dataset may have been loaded after the runs were configured.
  const { dataset } = usePlayground.getState().config;
  for (const slot of slots.values()) {
    if (type !== 'pause') sendDataset(slot, dataset);
    slot.client.send(type === 'reset' ? { type, gen: ++slot.gen } : { type });
  }
}

let poolTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * Sends the pool of added images to every Worker when it changes, at most twice a second (a drop of thousands
 * arrives in batches). The runs take them between two steps.
 */
export function startPoolSync(): () => void {
  const stop = useUserData.subscribe((s, prev) => {
    if (s.images === prev.images && s.target === prev.target) return;
    poolTimer ??= setTimeout(() => {
      poolTimer = null;
      const cmd = unlabeledCommand();
      for (const slot of slots.values()) slot.client.send(cmd);
    }, UPDATE_INTERVAL_MS);
  });
  return () => {
    stop();
    if (poolTimer !== null) clearTimeout(poolTimer);
    poolTimer = null;
  };
}

export const runCommands = {
  start: () => send('start'),
  pause: () => send('pause'),
  resume: () => send('resume'),
  step: () => send('step'),
  /** Both runs back to step 0 with the same config; measured values are cleared. */
  reset: () => {
    send('reset');
    dropQueued();
    usePlayground.getState().resetRuns([...slots.keys()]);
  },
  /** Every run switches to these settings at step `fromStep` (see app/settings-change.ts for the pause around it). */
  changeSettings: (change: SettingsChange, fromStep: number) => {
    for (const slot of slots.values()) slot.client.send({ type: 'change-settings', change, fromStep });
  },
  /** The test images of a cell of one run's last confusion matrix; the other runs then add their predictions. */
  openCell: (id: RunId, truth: number, predicted: number, model: 'student' | 'teacher' = 'student') =>
    slots.get(id)?.client.send({ type: 'confusion-cell', truth, predicted, model, limit: CELL_IMAGES }),
  inspect: () => {
    for (const slot of slots.values()) slot.client.send({ type: 'inspect', images: INSPECT_IMAGES });
  },
  /** Predictions of every run for these added images (the ones on screen). */
  classifyPool: (ids: number[]) => {
    if (ids.length === 0) return;
    // The grid shows the two students and the teacher; the FP32 reference is not asked.
    for (const [id, slot] of slots) if (id !== 'fp32') slot.client.send({ type: 'classify-pool', ids });
  },
  exportModel: (id: RunId, format: 'model-file' | 'onnx' | 'torch' = 'model-file') => slots.get(id)?.client.send({ type: 'export-model', format, pageUrl: window.location.href }),
  /** The top-50 Hessian eigenvalues and trace of every run's student, on a fixed batch of labeled images. */
  spectrum: () => {
    const { config, markSpectrumPending } = usePlayground.getState();
    markSpectrumPending();
    for (const slot of slots.values()) slot.client.send({ type: 'spectrum', k: SPECTRUM_K, samples: config.spectrumSamples });
  },
  /** The top eigenvalue of each layer's own Hessian block, for every run, on the spectrum's batch. */
  layerEigenvalues: () => {
    const { config, markLayerEigenPending } = usePlayground.getState();
    markLayerEigenPending();
    for (const slot of slots.values()) slot.client.send({ type: 'layer-eigenvalues', samples: config.spectrumSamples });
  },
  /**
   * A fresh Worker for one run, on another backend if given, training from step 0 again. The other run goes on;
   * both keep the same seed, so they stay comparable.
   */
  restart: (id: RunId, backend?: BackendChoice) => {
    const c = usePlayground.getState().config;
    const old = slots.get(id);
    const view = usePlayground.getState().runs[id];
    // A lost device or a crashed Worker says nothing about the run: it continues from its last checkpoint (its curves
    // up to there stay, the steps after it are redone). A run that diverged or failed would do it again: step 0.
    const kind = view?.error?.kind;
    const cp = old && old.seed === c.seed && (kind === 'device-lost' || kind === 'crashed') ? old.checkpoint : null;
    old?.client.terminate();
    slots.delete(id);
    dropQueued(id);
    const slot = spawn(id, backend ?? c.backend);
    configure(id, slot, c);
    const log = runLog(id);
    if (cp && log && view) restoreRun(id, { log: logUpTo(log, cp.step), evals: view.evals.filter((e) => e.step <= cp.step), totalSteps: view.totalSteps, checkpoint: cp });
    else usePlayground.getState().resetRun(id);
    slot.client.send({ type: 'start' });
  },
};

/** Test-only commands to one run's Worker (the page's `?test-hooks`; the Worker ignores them otherwise). */
export function sendTestCommand(id: RunId, type: 'test-lose-device' | 'test-crash'): void {
  slots.get(id)?.client.send({ type });
}
