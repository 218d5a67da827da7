import type { SettingsChangeAt } from '../vocabulary/settings-change';

/** One optimizer step, as streamed to charts and the CLI. */
export interface StepMetrics {
  step: number;
  loss: number;
  /** Accuracy on the training batch. */
  accuracy: number;
  lr: number;
  msPerStep: number;
  /** The cross-entropy part of the loss. */
  ce: number;
  /** The consistency part (before weighting by λ); 0 for runs without a teacher. */
  consistency: number;
  /** λ(t) of this step; 0 for runs without a teacher. */
  lambda: number;
}

export interface EvalMetrics {
  step: number;
  split: 'test' | 'validation';
  accuracy: number;
  loss: number;
  samples: number;
  /** For runs with a teacher: its accuracy, and how often student and teacher predict the same class. */
  teacherAccuracy: number | null;
  agreement: number | null;
  /** counts[truth][predicted] over the evaluated images: the student's, and the teacher's where there is one. */
  confusion?: number[][];
  teacherConfusion?: number[][] | null;
}

export interface SessionListener {
  onStep?(m: StepMetrics): void;
  onEval?(m: EvalMetrics): void;
  /** A setting changed mid-run took effect: `step` is the first step that uses it. */
  onSettingsChange?(c: SettingsChangeAt): void;
  /**
   * Step `step` was queued on the backend (its scalars not yet read). Work queued here runs on the model as it is
   * after that step, ahead of the next one: per-step device work such as counting grid-point flips.
   */
  onQueued?(step: number): void;
  /**
   * Extra work between two steps (a Hessian estimate, a checkpoint) on the model as it is after step `m.step`; the
   * next step waits for it. It runs only after steps that `holdAfter` names (every step when there is no holdAfter),
   * since a training loop queues the next step before reading a step back.
   */
  afterStep?(m: StepMetrics): Promise<void>;
  /** Whether afterStep needs to run after step `step` (decided before the next step is queued). */
  holdAfter?(step: number): boolean;
}

export class TrainingDivergedError extends Error {
  constructor(readonly step: number) {
    super(`training diverged: the loss became NaN or infinite at step ${step}; try a smaller learning rate`);
  }
}
