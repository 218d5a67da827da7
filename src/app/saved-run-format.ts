import { decodeConfig, encodeConfig } from '../config/url-hash';
import type { PlaygroundConfig } from '../config/playground-config';
import { RUN_IDS, type RunId } from '../config/run-config';
import type { SessionCheckpoint } from '../engine/train/checkpoint';
import type { EvalMetrics } from '../engine/train/metrics';
import type { SharpnessEstimate } from '../engine/hessian/live-sharpness';
import type { Row } from '../store/downsample';
import { METRIC_FIELDS, type MetricLog } from '../store/metric-log';
import type { MetricBatch } from '../worker/protocol';

/** The checkpoint format's tag, typed against the engine's (a value import would bring TF.js into the page). */
const CHECKPOINT_FORMAT: SessionCheckpoint['format'] = 'qat-playground-checkpoint';

/** What the page keeps of one run in IndexedDB (main thread): enough to show it as it was and to continue it. */
export interface SavedRun {
  version: 1;
  id: RunId;
  /** The page's setup the run was trained with. */
  config: PlaygroundConfig;
  savedAt: number;
  totalSteps: number;
  /** Every step's metrics up to the checkpoint's step. */
  log: MetricBatch;
  evals: EvalMetrics[];
  checkpoint: SessionCheckpoint;
  /** The live sharpness estimates and the learned step sizes' chart up to the checkpoint (absent in older copies). */
  sharpness?: SharpnessEstimate[];
  stepSizes?: Row<string>[];
}

/** The log's steps up to `step`, copied (the log keeps growing in place). */
export function logUpTo(log: MetricLog, step: number): MetricBatch {
  const steps = log.steps();
  let n = steps.length;
  while (n > 0 && steps[n - 1] > step) n--;
  const col = (f: (typeof METRIC_FIELDS)[number]) => log.column(f).slice(0, n);
  return { step: steps.slice(0, n), loss: col('loss'), accuracy: col('accuracy'), lr: col('lr'), msPerStep: col('msPerStep'), ce: col('ce'), consistency: col('consistency'), lambda: col('lambda') };
}

/**
 * Why a stored value cannot be used as a saved run (another version, cut short, edited by hand), or null when it
 * can. Checked before anything of it reaches the page or a Worker.
 */
export function savedRunProblem(x: unknown): string | null {
  if (typeof x !== 'object' || x === null) return 'it is not a saved run';
  const r = x as Partial<SavedRun>;
  if (r.version !== 1) return `it is of another version (${String(r.version)})`;
  if (!RUN_IDS.includes(r.id as RunId)) return `it names no run of this page (${String(r.id)})`;
  if (typeof r.config !== 'object' || r.config === null) return 'it has no settings';
  const { notes } = decodeConfig(`#${encodeConfig(r.config)}`);
  if (notes.length > 0) return `its settings are not valid: ${notes[0]}`;
  const cp = r.checkpoint;
  if (!cp || cp.format !== CHECKPOINT_FORMAT || typeof cp.step !== 'number' || typeof cp.student !== 'object') return 'its checkpoint is missing or damaged';
  if (Object.values(cp.student).some((a) => !(a instanceof Float32Array))) return "its checkpoint's weights are damaged";
  const log = r.log;
  if (!log || !(log.step instanceof Int32Array)) return 'its metric log is missing';
  for (const f of METRIC_FIELDS) if (!(log[f] instanceof Float32Array) || log[f].length !== log.step.length) return `its metric log is damaged (${f})`;
  if (log.step.length > 0 && log.step[log.step.length - 1] !== cp.step) return `its metric log ends at step ${log.step[log.step.length - 1]}, its checkpoint is at step ${cp.step}`;
  if (!Array.isArray(r.evals)) return 'its evaluations are missing';
  if (typeof r.totalSteps !== 'number' || cp.step > r.totalSteps) return 'its step count is damaged';
  const stepped = (a: unknown) => Array.isArray(a) && a.every((e) => typeof e === 'object' && e !== null && Number.isFinite((e as { step?: unknown }).step));
  if (r.sharpness !== undefined && !stepped(r.sharpness)) return 'its sharpness estimates are damaged';
  if (r.stepSizes !== undefined && !stepped(r.stepSizes)) return 'its step-size chart is damaged';
  return null;
}

/** A failed write, in words a person can act on. */
export function saveFailure(err: unknown): string {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  if (name === 'QuotaExceededError') return "the browser's storage for this page is full (clear saved runs, or free space)";
  return err instanceof Error ? err.message || name : String(err);
}
