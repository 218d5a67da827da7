/** One optimizer step, as streamed to charts and the CLI. */
export interface StepMetrics {
  step: number;
  loss: number;
  /** Accuracy on the training batch. */
  accuracy: number;
  lr: number;
  msPerStep: number;
}

export interface EvalMetrics {
  step: number;
  split: 'test' | 'validation';
  accuracy: number;
  loss: number;
  samples: number;
}

export interface SessionListener {
  onStep?(m: StepMetrics): void;
  onEval?(m: EvalMetrics): void;
}

export class TrainingDivergedError extends Error {
  constructor(readonly step: number) {
    super(`training diverged: the loss became NaN or infinite at step ${step}; try a smaller learning rate`);
  }
}
