import type { PlaygroundConfig } from '../config/playground-config';
import { RUN_LABELS, type RunId } from '../config/run-config';
import type { BackendReport } from '../engine/vocabulary/backends';
import type { LayerSpectrum } from '../engine/hessian/layer-eigen';
import type { SharpnessEstimate } from '../engine/hessian/live-sharpness';
import type { QuantError } from '../engine/inspect/quant-error';
import type { EvalMetrics } from '../engine/train/metrics';
import type { SettingsChangeAt } from '../engine/vocabulary/settings-change';
import { METRIC_FIELDS, type MetricLog } from '../store/metric-log';
import { summarizeRun, type RunSummary } from '../store/run-summary';
import type { MultiSeedJson } from './multi-seed-export';

export interface ExportedRun {
  id: RunId;
  log: MetricLog;
  evals: EvalMetrics[];
  backend: BackendReport | null;
  batchSize: number;
  /** Quantization error per layer at each evaluation. */
  quantErrors?: { step: number; layers: QuantError[] }[];
  /** Settings changed mid-run, with the first step that used each. */
  settingsChanges?: SettingsChangeAt[];
  /** Live top-eigenvalue estimates, each with its ± spread (residual bound). */
  sharpness?: SharpnessEstimate[];
  /** The last on-demand per-layer top eigenvalues, with the step they were measured at. */
  layerEigen?: { step: number; spectrum: LayerSpectrum } | null;
}

const CSV_COLUMNS = ['run', 'step', ...METRIC_FIELDS] as const;

/** Every step of every run, full resolution, one row per run and step. */
export function metricsCsv(runs: readonly ExportedRun[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of runs) {
    const steps = r.log.steps();
    const cols = METRIC_FIELDS.map((f) => r.log.column(f));
    for (let i = 0; i < steps.length; i++) lines.push([RUN_LABELS[r.id], steps[i], ...cols.map((c) => c[i])].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Test evaluations of every run as CSV (student, and teacher where there is one). */
export function evalsCsv(runs: readonly ExportedRun[]): string {
  const lines = ['run,step,samples,accuracy,loss,teacher_accuracy,agreement'];
  for (const r of runs) {
    for (const e of r.evals) lines.push([RUN_LABELS[r.id], e.step, e.samples, e.accuracy, e.loss, e.teacherAccuracy ?? '', e.agreement ?? ''].join(','));
  }
  return `${lines.join('\n')}\n`;
}

export interface MetricsJson {
  format: 'qat-playground-metrics';
  version: 1;
  /** The link that reopens this setup. */
  link: string;
  config: PlaygroundConfig;
  /** The seed the LSQ and LSQ+CR runs below trained with: the config's, except after a repetition (its last seed). */
  runsSeed: number;
  runs: {
    run: string;
    backend: BackendReport | null;
    summary: RunSummary;
    steps: number[];
    metrics: Record<(typeof METRIC_FIELDS)[number], number[]>;
    evals: EvalMetrics[];
    quantErrors: { step: number; layers: QuantError[] }[];
    settingsChanges: SettingsChangeAt[];
    sharpness: SharpnessEstimate[];
    layerEigenvalues: { step: number; spectrum: LayerSpectrum } | null;
  }[];
  /** The last repetition over seeds of this setup, if any. */
  multiSeed: MultiSeedJson | null;
}

export function metricsJson(
  config: PlaygroundConfig,
  link: string,
  runs: readonly ExportedRun[],
  extra: { runsSeed?: number; multiSeed?: MultiSeedJson | null } = {},
): MetricsJson {
  return {
    format: 'qat-playground-metrics',
    version: 1,
    link,
    config,
    runsSeed: extra.runsSeed ?? config.seed,
    runs: runs.map((r) => ({
      run: RUN_LABELS[r.id],
      backend: r.backend,
      summary: summarizeRun(r.evals, r.log.stepsPerSecond(), r.batchSize),
      steps: Array.from(r.log.steps()),
      metrics: Object.fromEntries(METRIC_FIELDS.map((f) => [f, Array.from(r.log.column(f))])) as MetricsJson['runs'][number]['metrics'],
      evals: r.evals,
      quantErrors: r.quantErrors ?? [],
      settingsChanges: r.settingsChanges ?? [],
      sharpness: r.sharpness ?? [],
      layerEigenvalues: r.layerEigen ?? null,
    })),
    multiSeed: extra.multiSeed ?? null,
  };
}
