import * as tf from '@tensorflow/tfjs';
import { BatchSampler, channelStats, makeBatch, type Normalization } from '../data/batches';
import { splitTrain } from '../data/split';
import type { Dataset } from '../data/types';
import { buildModel, type Model } from '../models';
import { resolveConfig, type TrainConfig, type TrainConfigInput } from './config';
import { evaluateModel } from './evaluate';
import { cosineLr } from './lr-schedule';
import { TrainingDivergedError, type EvalMetrics, type SessionListener, type StepMetrics } from './metrics';
import { createOptimizer, type Optimizer } from './optimizers';
import { calibrate, supervisedStep } from './step';

export type SessionState = 'ready' | 'running' | 'paused' | 'done' | 'failed';

/** Lets the host (a Worker's message queue, a CLI's progress bar) run between steps. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * One training run: a model, its optimizer, a seeded data order. Drive it with `start`/`pause`/`resume`, or
 * one step at a time with `step`. Everything a step allocates is released before it returns.
 */
export class TrainingSession {
  readonly config: TrainConfig;
  readonly model: Model;
  readonly norm: Normalization;
  readonly split: { labeled: Int32Array; validation: Int32Array; unlabeled: Int32Array };
  private readonly optimizer: Optimizer;
  private readonly sampler: BatchSampler;
  private readonly testIndices: Int32Array;
  private stepsDone = 0;
  private calibrated = false;
  private stateValue: SessionState = 'ready';
  private loop: Promise<void> | null = null;

  constructor(readonly dataset: Dataset, input: TrainConfigInput = {}, norm?: Normalization) {
    this.config = resolveConfig(input);
    const c = this.config;
    this.norm = norm ?? channelStats(dataset);
    this.split = splitTrain(dataset.train.labels, dataset.numClasses, { labeled: c.labeled, validation: c.validation, seed: c.seed });
    this.sampler = new BatchSampler(this.split.labeled, c.seed, 'labeled');
    this.testIndices = Int32Array.from({ length: dataset.test.count }, (_, i) => i);
    this.model = buildModel({
      name: c.model,
      inputShape: [dataset.height, dataset.width, dataset.channels],
      numClasses: dataset.numClasses,
      quant: c.quant,
      seed: c.seed,
    });
    this.optimizer = createOptimizer(this.model.params, c.optimizer);
  }

  get state(): SessionState {
    return this.stateValue;
  }

  get step(): number {
    return this.stepsDone;
  }

  /** One optimizer step on a labeled batch; evaluation follows when one is due. */
  async trainStep(listener: SessionListener = {}): Promise<StepMetrics> {
    if (this.stepsDone >= this.config.steps) throw new Error(`the run is complete (${this.config.steps} steps)`);
    const c = this.config;
    const t0 = performance.now();
    const lr = cosineLr(this.stepsDone, c.steps, c.lr, c.warmupSteps);
    const { x, y } = makeBatch(this.dataset, this.dataset.train, this.sampler.next(c.batchSize), this.norm);
    let result: { loss: number; correct: number };
    try {
      if (!this.calibrated) {
        calibrate(this.model, x);
        this.calibrated = true;
      }
      result = await supervisedStep(this.model, this.optimizer, x, y, this.dataset.numClasses, lr);
    } finally {
      tf.dispose([x, y]);
    }
    this.stepsDone++;
    const { loss, correct } = result;
    if (!Number.isFinite(loss)) {
      this.stateValue = 'failed';
      throw new TrainingDivergedError(this.stepsDone);
    }
    const metrics: StepMetrics = { step: this.stepsDone, loss, accuracy: correct / c.batchSize, lr, msPerStep: performance.now() - t0 };
    listener.onStep?.(metrics);
    await this.evaluateIfDue(listener);
    if (this.stepsDone >= c.steps) this.stateValue = 'done';
    return metrics;
  }

  private async evaluateIfDue(listener: SessionListener): Promise<void> {
    const { evalEvery, steps, evalSamples } = this.config;
    const last = this.stepsDone === steps;
    if (!last && !(evalEvery > 0 && this.stepsDone % evalEvery === 0)) return;
    listener.onEval?.(await this.evaluate('test', last ? 0 : evalSamples));
  }

  /** Accuracy and loss on the test split (or the held-out validation split), first `samples` images (0: all). */
  async evaluate(split: 'test' | 'validation' = 'test', samples = 0): Promise<EvalMetrics> {
    const all = split === 'test' ? this.testIndices : this.split.validation;
    const idx = samples > 0 ? all.subarray(0, Math.min(samples, all.length)) : all;
    const set = split === 'test' ? this.dataset.test : this.dataset.train;
    const r = await evaluateModel(this.model, this.dataset, set, idx, this.norm);
    return { step: this.stepsDone, split, samples: idx.length, ...r };
  }

  /** Trains until the last step or a pause. Resolves when the loop stops; a failure rejects. */
  start(listener: SessionListener = {}): Promise<void> {
    if (this.loop) return this.loop;
    if (this.stateValue === 'done' || this.stateValue === 'failed') return Promise.resolve();
    this.stateValue = 'running';
    this.loop = (async () => {
      try {
        let lastYield = performance.now();
        while (this.stateValue === 'running' && this.stepsDone < this.config.steps) {
          await this.trainStep(listener);
          // Backends that read back synchronously never leave the microtask queue; give the host a turn.
          if (performance.now() - lastYield > 30) {
            await yieldToEventLoop();
            lastYield = performance.now();
          }
        }
      } finally {
        this.loop = null;
      }
    })();
    return this.loop;
  }

  /** Stops after the step in flight; `start` (or `resume`) continues from there. */
  async pause(): Promise<void> {
    if (this.stateValue === 'running') this.stateValue = 'paused';
    await this.loop;
  }

  resume(listener: SessionListener = {}): Promise<void> {
    return this.start(listener);
  }

  /** One step while paused or before starting. */
  async stepOnce(listener: SessionListener = {}): Promise<StepMetrics> {
    if (this.loop) throw new Error('pause the run before stepping');
    const m = await this.trainStep(listener);
    if (this.stateValue === 'ready') this.stateValue = 'paused';
    return m;
  }

  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }
}
