import { create } from 'zustand';
import { DEFAULT_CONFIG, type PlaygroundConfig } from '../config/playground-config';
import type { RunId } from '../config/run-config';
import type { BackendReport } from '../engine/vocabulary/backends';
import type { SharpnessEstimate } from '../engine/hessian/live-sharpness';
import type { HessianSummary } from '../engine/hessian/measure';
import type { LayerSpectrum } from '../engine/hessian/layer-eigen';
import type { EvalMetrics } from '../engine/train/metrics';
import type { Inspection, MetricBatch, PoolPredictions, RunErrorKind, RunPhase, WorkerEvent } from '../worker/protocol';
import type { CellImages, TestPredictions } from '../worker/confusion-cell';
import type { QuantError } from '../engine/inspect/quant-error';
import type { SettingsChangeAt } from '../engine/vocabulary/settings-change';
import type { WeightHistogram } from '../engine/inspect/weight-histogram';
import { Downsampler, MAX_POINTS, type Row } from './downsample';
import { MetricLog } from './metric-log';

export const CHART_FIELDS = ['loss', 'ce', 'consistency', 'lambda', 'accuracy', 'lr'] as const;
export type ChartField = (typeof CHART_FIELDS)[number];
export type ChartRow = Row<ChartField>;

export interface RunError {
  kind: RunErrorKind;
  message: string;
}

/** What the page shows of one run. Chart series are already downsampled. */
export interface RunView {
  id: RunId;
  backend: BackendReport | null;
  phase: RunPhase | 'idle';
  step: number;
  totalSteps: number;
  rows: ChartRow[];
  evals: EvalMetrics[];
  stepSizeNames: string[];
  stepSizeRows: Row<string>[];
  stepsPerSecond: number | null;
  error: RunError | null;
  inspection: Inspection | null;
  /** Live top-eigenvalue estimates, and the share of the run's time they took. */
  sharpness: SharpnessEstimate[];
  sharpnessShare: number | null;
  /** The last on-demand spectrum; pending while one is being computed. */
  spectrum: { step: number; summary: HessianSummary } | null;
  spectrumPending: boolean;
  /** The last on-demand per-layer top eigenvalues, and whether one is being computed. */
  layerEigen: { step: number; spectrum: LayerSpectrum } | null;
  layerEigenPending: boolean;
  /** The unlabeled pool the run draws from, as the Worker reports it. */
  pool: { size: number; added: number; used: boolean } | null;
  /** Predictions for the added images shown on the page. */
  poolPredictions: PoolPredictions | null;
  /** The images of the confusion cell last opened on this run, and its predictions for another run's cell images. */
  cell: CellImages | null;
  testPredictions: TestPredictions | null;
  /** Quantization error per layer at each evaluation, and the activations' histograms at the latest one. */
  quantErrors: { step: number; layers: QuantError[] }[];
  activationHistograms: WeightHistogram[];
  /** Settings changed mid-run, as the Worker applied them: each with the first step that used it. */
  settingsChanges: SettingsChangeAt[];
}

/** Full-resolution buffers behind a run's view; not React state (they change in place). */
interface RunBuffers {
  log: MetricLog;
  chart: Downsampler<ChartField>;
  stepSizes: Downsampler<string> | null;
  chartDirty: boolean;
  stepSizesDirty: boolean;
}

const buffers = new Map<RunId, RunBuffers>();

function freshBuffers(): RunBuffers {
  return { log: new MetricLog(), chart: new Downsampler(CHART_FIELDS), stepSizes: null, chartDirty: false, stepSizesDirty: false };
}

export function runLog(id: RunId): MetricLog | null {
  return buffers.get(id)?.log ?? null;
}

function emptyRun(id: RunId, backend: BackendReport | null = null): RunView {
  return {
    id,
    backend,
    phase: 'idle',
    step: 0,
    totalSteps: 0,
    rows: [],
    evals: [],
    stepSizeNames: [],
    stepSizeRows: [],
    stepsPerSecond: null,
    error: null,
    inspection: null,
    sharpness: [],
    sharpnessShare: null,
    spectrum: null,
    spectrumPending: false,
    layerEigen: null,
    layerEigenPending: false,
    pool: null,
    poolPredictions: null,
    cell: null,
    testPredictions: null,
    quantErrors: [],
    activationHistograms: [],
    settingsChanges: [],
  };
}

/** Keeps every other point once a sparse series (evaluations) outgrows what a chart should draw. */
function capped<T>(list: T[]): T[] {
  return list.length > MAX_POINTS ? list.filter((_, i) => i % 2 === 1 || i === list.length - 1) : list;
}

/**
 * The measured state of one run after one Worker event. Pure apart from the run's buffers; chart rows are left to
 * `withRows`, once per batch of events, since building them is the costly part.
 */
function reduceRun(run: RunView, b: RunBuffers, e: WorkerEvent): RunView {
  switch (e.type) {
    case 'backend':
      return { ...run, backend: e.report };
    case 'phase': {
      // A failed run keeps its error until it is restarted; a spectrum is pending only while the Worker computes it.
      const waits = (pending: boolean) => pending && (e.phase === 'hessian' || run.phase !== 'hessian');
      return {
        ...run,
        phase: e.phase,
        step: Math.max(e.phase === 'ready' ? 0 : run.step, e.step),
        totalSteps: e.totalSteps,
        spectrumPending: waits(run.spectrumPending),
        layerEigenPending: waits(run.layerEigenPending),
      };
    }
    case 'metrics': {
      const n = e.batch.step.length;
      if (n === 0) return run;
      b.log.append(e.batch);
      for (let i = 0; i < n; i++) {
        b.chart.push(e.batch.step[i], {
          loss: e.batch.loss[i],
          ce: e.batch.ce[i],
          consistency: e.batch.consistency[i],
          lambda: e.batch.lambda[i],
          accuracy: e.batch.accuracy[i],
          lr: e.batch.lr[i],
        });
      }
      b.chartDirty = true;
      return { ...run, step: e.batch.step[n - 1], stepsPerSecond: b.log.stepsPerSecond() };
    }
    case 'eval':
      return { ...run, evals: capped([...run.evals, e.metrics]) };
    case 'step-sizes': {
      if (!b.stepSizes) b.stepSizes = new Downsampler(e.names);
      b.stepSizes.push(e.step, Object.fromEntries(e.names.map((n, i) => [n, e.values[i]])));
      b.stepSizesDirty = true;
      return { ...run, stepSizeNames: e.names };
    }
    case 'inspection':
      return { ...run, inspection: e.inspection };
    case 'model-file':
    case 'export-file':
    // Checkpoints are kept by the page's saved runs (src/app/saved-runs.ts), not shown.
    case 'checkpoint':
      return run;
    case 'sharpness':
      return { ...run, sharpness: capped([...run.sharpness, e.estimate]), sharpnessShare: e.share };
    case 'pool':
      return { ...run, pool: { size: e.size, added: e.added, used: e.used } };
    case 'pool-predictions':
      return { ...run, poolPredictions: e.predictions };
    case 'cell-images':
      return { ...run, cell: e.cell };
    case 'test-predictions':
      return { ...run, testPredictions: e.predictions };
    case 'settings-change':
      return { ...run, settingsChanges: [...run.settingsChanges, { step: e.step, change: e.change }] };
    case 'quant-error':
      return { ...run, quantErrors: capped([...run.quantErrors, { step: e.step, layers: e.report.layers }]), activationHistograms: e.report.activationHistograms };
    case 'spectrum':
      return { ...run, spectrum: { step: e.step, summary: e.summary }, spectrumPending: false };
    case 'layer-eigenvalues':
      return { ...run, layerEigen: { step: e.step, spectrum: e.spectrum }, layerEigenPending: false };
    case 'error':
      return { ...run, spectrumPending: false, layerEigenPending: false, error: { kind: e.kind, message: e.message }, phase: e.kind === 'diverged' || e.kind === 'crashed' || e.kind === 'device-lost' ? 'failed' : run.phase };
  }
}

/** Fresh chart rows for the series that changed. */
function withRows(run: RunView, b: RunBuffers): RunView {
  if (!b.chartDirty && !b.stepSizesDirty) return run;
  const next = { ...run };
  if (b.chartDirty) next.rows = b.chart.rows();
  if (b.stepSizesDirty && b.stepSizes) next.stepSizeRows = b.stepSizes.rows();
  b.chartDirty = false;
  b.stepSizesDirty = false;
  return next;
}

/** Sets a wait flag on every run that trained and is at rest (the runs a Hessian command is sent to answer it). */
function markAtRest(runs: Partial<Record<RunId, RunView>>, flag: 'spectrumPending' | 'layerEigenPending'): Partial<Record<RunId, RunView>> {
  return Object.fromEntries(Object.entries(runs).map(([id, r]) => [id, { ...r!, [flag]: r!.step > 0 && (r!.phase === 'paused' || r!.phase === 'done') }]));
}

/** What a saved run puts back on the page (app/saved-run-format.ts keeps it in IndexedDB). */
export interface RestoredRun {
  log: MetricBatch;
  evals: EvalMetrics[];
  totalSteps: number;
  settingsChanges?: SettingsChangeAt[];
  sharpness?: SharpnessEstimate[];
  stepSizes?: Row<string>[];
}

interface PlaygroundState {
  config: PlaygroundConfig;
  /** Why values of an opened link were not used; shown until dismissed. */
  configNotes: string[];
  runs: Partial<Record<RunId, RunView>>;
  /** Settings changes sent to the runs (from the page or a link), each with its step; the link carries them. */
  settingsSchedule: SettingsChangeAt[];
  scheduleSettingsChange(c: SettingsChangeAt): void;
  logScale: boolean;
  presentation: boolean;
  setConfig(patch: Partial<PlaygroundConfig>): void;
  replaceConfig(config: PlaygroundConfig, notes: string[]): void;
  dismissNotes(): void;
  setLogScale(on: boolean): void;
  setPresentation(on: boolean): void;
  /** Starts a clean view for each run; other runs disappear. A run's backend report is kept. */
  resetRuns(ids: readonly RunId[]): void;
  /** Every paused or finished run waits for its spectrum (the Workers were asked for one). */
  markSpectrumPending(): void;
  /** The same wait for the per-layer top eigenvalues. */
  markLayerEigenPending(): void;
  /**
   * A clean view for one run, keeping the others: its restart in a fresh Worker, or (keepBackend) its next seed in
   * the same Worker, whose backend report is not sent again.
   */
  resetRun(id: RunId, keepBackend?: boolean): void;
  /** A run as it was saved (after a reload): its metric log, evaluations and step, paused; its Worker continues it. */
  restoreRun(id: RunId, saved: RestoredRun): void;
  applyEvent(id: RunId, e: WorkerEvent): void;
  /** Several events in one update (one render), in order. */
  applyEvents(events: readonly (readonly [RunId, WorkerEvent])[]): void;
}

export const usePlayground = create<PlaygroundState>()((set, get) => ({
  config: DEFAULT_CONFIG,
  configNotes: [],
  runs: {},
  settingsSchedule: [],
  scheduleSettingsChange: (c) => set((s) => ({ settingsSchedule: [...s.settingsSchedule, c] })),
  logScale: false,
  presentation: false,
  setConfig: (patch) => set((s) => ({ config: { ...s.config, ...patch } })),
  replaceConfig: (config, configNotes) => set({ config, configNotes }),
  dismissNotes: () => set({ configNotes: [] }),
  setLogScale: (logScale) => set({ logScale }),
  setPresentation: (presentation) => set({ presentation }),
  resetRuns: (ids) => {
    const old = get().runs;
    const runs: Partial<Record<RunId, RunView>> = {};
    buffers.clear();
    for (const id of ids) {
      runs[id] = emptyRun(id, old[id]?.backend ?? null);
      buffers.set(id, freshBuffers());
    }
    // Runs that start over start with the settings they were configured with.
    set({ runs, settingsSchedule: [] });
  },
  markSpectrumPending: () => set((s) => ({ runs: markAtRest(s.runs, 'spectrumPending') })),
  markLayerEigenPending: () => set((s) => ({ runs: markAtRest(s.runs, 'layerEigenPending') })),
  resetRun: (id, keepBackend = false) => {
    buffers.set(id, freshBuffers());
    set((s) => ({ runs: { ...s.runs, [id]: emptyRun(id, keepBackend ? (s.runs[id]?.backend ?? null) : null) } }));
  },
  restoreRun: (id, saved) => {
    const b = freshBuffers();
    buffers.set(id, b);
    const run = reduceRun(emptyRun(id, get().runs[id]?.backend ?? null), b, { type: 'metrics', batch: saved.log });
    const step = saved.log.step.length > 0 ? saved.log.step[saved.log.step.length - 1] : 0;
    // The markers of the settings changed mid-run come back with the run (the checkpoint keeps them).
    const sizes = saved.stepSizes ?? [];
    if (sizes.length > 0) {
      const names = Object.keys(sizes[0]).filter((k) => k !== 'step');
      b.stepSizes = new Downsampler(names);
      for (const r of sizes) b.stepSizes.push(r.step, Object.fromEntries(names.map((n) => [n, r[n]])));
      b.stepSizesDirty = true;
    }
    const sharpness = capped(saved.sharpness ?? []);
    const view = withRows(
      { ...run, evals: capped(saved.evals), step, totalSteps: saved.totalSteps, phase: 'paused', settingsChanges: saved.settingsChanges ?? [], sharpness },
      b,
    );
    set((s) => ({ runs: { ...s.runs, [id]: view } }));
  },
  applyEvent: (id, e) => get().applyEvents([[id, e]]),
  applyEvents: (events) => {
    const runs = { ...get().runs };
    const touched = new Set<RunId>();
    for (const [id, e] of events) {
      const run = runs[id];
      const b = buffers.get(id);
      // Events of a run that was removed (a late message from a terminated Worker) are dropped.
      if (!run || !b) continue;
      runs[id] = reduceRun(run, b, e);
      touched.add(id);
    }
    if (touched.size === 0) return;
    for (const id of touched) runs[id] = withRows(runs[id]!, buffers.get(id)!);
    set({ runs });
  },
}));
