/** The typed messages between the page and a training Worker. Both sides import this file. */
import type { BackendChoice, BackendReport } from '../engine/backend/types';
import type { TrainConfigInput } from '../engine/train/config';
import type { EvalMetrics } from '../engine/train/metrics';
import type { SessionState } from '../engine/train/session';

export type WorkerCommand =
  | { type: 'init'; backend: BackendChoice }
  | { type: 'configure'; config: TrainConfigInput }
  | { type: 'start' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'step' }
  | { type: 'reset' }
  | { type: 'evaluate' }
  | { type: 'dispose' };

/** What the Worker is doing, beyond the session's own states. */
export type RunPhase = 'starting' | 'loading-data' | 'compiling' | SessionState;

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

export type WorkerEvent =
  | { type: 'backend'; report: BackendReport }
  | { type: 'phase'; phase: RunPhase; step: number; totalSteps: number }
  | { type: 'metrics'; batch: MetricBatch }
  | { type: 'eval'; metrics: EvalMetrics }
  | { type: 'error'; message: string };
