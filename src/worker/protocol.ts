/** The typed messages between the page and a training Worker. Both sides import this file. */
import type { DatasetName } from '../config/playground-config';
import type { BackendChoice, BackendReport } from '../engine/backend/types';
import type { Dataset } from '../engine/data/types';
import type { SharpnessEstimate, SharpnessMode } from '../engine/hessian/live-sharpness';
import type { HessianSummary } from '../engine/hessian/measure';
import type { WeightHistogram } from '../engine/inspect/weight-histogram';
import type { TrainConfigInput } from '../engine/train/config';
import type { EvalMetrics } from '../engine/train/metrics';
import type { SessionState } from '../engine/train/session';
import type { InputShape } from '../user-data/images/crop';

export type WorkerCommand =
  | { type: 'init'; backend: BackendChoice }
  /** A dataset loaded from files on the page, for configures that name it. */
  | { type: 'dataset'; id: string; dataset: Dataset }
  /** The images a person added (all of them, replacing the previous set), for the unlabeled pool of CR runs. */
  | { type: 'unlabeled'; ids: Int32Array; images: Uint8Array; shape: InputShape }
  /** Student (and teacher) predictions for some of the added images. */
  | { type: 'classify-pool'; ids: number[] }
  | { type: 'configure'; dataset: DatasetName; config: TrainConfigInput; sharpness: { mode: SharpnessMode; every: number } }
  | { type: 'start' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'step' }
  | { type: 'reset' }
  | { type: 'evaluate' }
  /** Predictions on a few test images and the weight histograms. */
  | { type: 'inspect'; images: number }
  /** The trained student as a file. */
  | { type: 'export-model' }
  /** The top-k Hessian eigenvalues and the trace of the student now (paused or done). */
  | { type: 'spectrum'; k: number; samples: number }
  | { type: 'dispose' };

/** What the Worker is doing, beyond the session's own states. */
export type RunPhase = 'starting' | 'loading-data' | 'compiling' | 'hessian' | SessionState;

/** Step metrics of several steps at once, as typed arrays that are transferred, not copied. */
export interface MetricBatch {
  step: Int32Array;
  loss: Float32Array;
  accuracy: Float32Array;
  lr: Float32Array;
  msPerStep: Float32Array;
  ce: Float32Array;
  consistency: Float32Array;
  lambda: Float32Array;
}

/** What went wrong, so the page can offer the right way out. */
export type RunErrorKind = 'diverged' | 'device-lost' | 'crashed' | 'failed';

export interface Inspection {
  step: number;
  /** Test images, HWC uint8, `count` of them. */
  images: Uint8Array;
  height: number;
  width: number;
  channels: number;
  labels: Int32Array;
  classNames: string[];
  student: Int32Array;
  studentConfidence: Float32Array;
  /** The EMA teacher's predictions (LSQ+CR only). */
  teacher: Int32Array | null;
  histograms: WeightHistogram[];
}

export interface PoolPredictions {
  step: number;
  ids: Int32Array;
  student: Int32Array;
  studentConfidence: Float32Array;
  teacher: Int32Array | null;
  teacherConfidence: Float32Array | null;
  classNames: string[];
}

export type WorkerEvent =
  | { type: 'backend'; report: BackendReport }
  | { type: 'phase'; phase: RunPhase; step: number; totalSteps: number }
  | { type: 'metrics'; batch: MetricBatch }
  | { type: 'eval'; metrics: EvalMetrics }
  /** Learned step sizes, one per quantizer, sampled a couple of times a second. */
  | { type: 'step-sizes'; step: number; names: string[]; values: Float32Array }
  | { type: 'inspection'; inspection: Inspection }
  | { type: 'model-file'; text: string; steps: number }
  /** A live top-eigenvalue estimate and the share of the run's time spent on them so far. */
  | { type: 'sharpness'; estimate: SharpnessEstimate; share: number }
  | { type: 'spectrum'; step: number; summary: HessianSummary }
  /** The unlabeled pool this run draws from: its size, and how many of them a person added. */
  | { type: 'pool'; size: number; added: number; used: boolean }
  | { type: 'pool-predictions'; predictions: PoolPredictions }
  | { type: 'error'; kind: RunErrorKind; message: string };
