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
}

export interface SessionListener {
  onStep?(m: StepMetrics): void;
  onEval?(m: EvalMetrics): void;
  /** Extra work between two steps (a Hessian estimate); the next step waits for it. */
  afterStep?(m: StepMetrics): Promise<void>;
}

export class TrainingDivergedError extends Error {
  constructor(readonly step: number) {
    super(`training diverged: the loss became NaN or infinite at step ${step}; try a smaller learning rate`);
  }
}
