import { SHIPPED_DATASET, type PlaygroundConfig } from '../config/playground-config';
import { RUN_LABELS, runsOf, trainConfigFor, type RunId } from '../config/run-config';
import type { BackendChoice } from '../engine/backend/types';
import { downloadText, fileStem } from '../export/download';
import { usePlayground } from '../store/playground-store';
import { useUserData } from '../store/user-data-store';
import { datasetVersion, loadedDataset } from './dataset-registry';
import { poolPayload } from './pool-payload';
import { TrainingWorkerClient } from './training-client';
import type { WorkerCommand, WorkerEvent } from '../worker/protocol';

/** Eigenvalues per run in the spectrum view (the paper's Figure 5 uses the top 50). */
export const SPECTRUM_K = 50;

/** Test images in the "looking inside" grid. */
export const INSPECT_IMAGES = 20;

interface Slot {
  client: TrainingWorkerClient;
  backend: BackendChoice;
  /** Which loaded dataset (id and version) this Worker holds a copy of: copies are large, so each is sent once. */
  dataset: string | null;
  /**
   * From a configure until the Worker answers it with "ready": what the Worker sends meanwhile (the last metrics
   * and phases of a run being stopped) belongs to the run it is dropping, not to the clean view that replaced it.
   */
  configuring: boolean;
  /** The seed it was last configured with: during a repetition, not the page's. */
  seed: number;
}

const slots = new Map<RunId, Slot>();

/**
 * Streaming events (metrics, step sizes, evaluations) from both Workers are applied together at most this often:
 * each update redraws the charts, and the page must stay responsive while two runs train.
 */
const UPDATE_INTERVAL_MS = 500;
const STREAMING = new Set<WorkerEvent['type']>(['metrics', 'step-sizes', 'eval', 'sharpness', 'inspection', 'pool-predictions']);
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

function onEvent(id: RunId, slot: Slot, e: WorkerEvent): void {
  if (slot.configuring) {
    if (e.type === 'phase' && e.phase === 'ready') slot.configuring = false;
    else if (!outlivesConfigure(e)) return;
  }
  if (e.type === 'model-file') {
    const c = usePlayground.getState().config;
    downloadText(e.text, `${fileStem(c.model, c.wbits, c.abits, slot.seed)}-${id.replace('+', '-')}-step${e.steps}.model.json`, 'application/json');
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

function spawn(id: RunId, backend: BackendChoice): Slot {
  // Events arrive asynchronously, after `slot` below exists.
  const client = new TrainingWorkerClient((e) => onEvent(id, slot, e), `training ${RUN_LABELS[id]}`);
  const slot: Slot = { client, backend, dataset: null, configuring: false, seed: 0 };
  client.send({ type: 'init', backend });
  slots.set(id, slot);
  return slot;
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
  slot.configuring = true;
  slot.seed = c.seed;
  slot.client.send({ type: 'configure', dataset: c.dataset, config: trainConfigFor(c, id), sharpness: { mode: c.sharpness, every: c.sharpnessEvery } });
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
    slot.client.send({ type });
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
  inspect: () => {
    for (const slot of slots.values()) slot.client.send({ type: 'inspect', images: INSPECT_IMAGES });
  },
  /** Predictions of every run for these added images (the ones on screen). */
  classifyPool: (ids: number[]) => {
    if (ids.length === 0) return;
    // The grid shows the two students and the teacher; the FP32 reference is not asked.
    for (const [id, slot] of slots) if (id !== 'fp32') slot.client.send({ type: 'classify-pool', ids });
  },
  exportModel: (id: RunId) => slots.get(id)?.client.send({ type: 'export-model' }),
  /** The top-50 Hessian eigenvalues and trace of every run's student, on a fixed batch of labeled images. */
  spectrum: () => {
    const { config, markSpectrumPending } = usePlayground.getState();
    markSpectrumPending();
    for (const slot of slots.values()) slot.client.send({ type: 'spectrum', k: SPECTRUM_K, samples: config.spectrumSamples });
  },
  /**
   * A fresh Worker for one run, on another backend if given, training from step 0 again. The other run goes on;
   * both keep the same seed, so they stay comparable.
   */
  restart: (id: RunId, backend?: BackendChoice) => {
    const c = usePlayground.getState().config;
    slots.get(id)?.client.terminate();
    slots.delete(id);
    dropQueued(id);
    usePlayground.getState().resetRun(id);
    const slot = spawn(id, backend ?? c.backend);
    configure(id, slot, c);
    slot.client.send({ type: 'start' });
  },
};
