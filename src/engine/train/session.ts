import * as tf from '@tensorflow/tfjs';
import { augmentBatch } from '../augment/augment';
import { resolveAugment, type ResolvedAugment } from '../augment/config';
import { EmaTeacher } from '../cr/ema-teacher';
import { lambdaAt } from '../cr/lambda-schedule';
import { BatchSampler, channelStats, makeBatch, type Normalization } from '../data/batches';
import { splitTrain } from '../data/split';
import type { Dataset } from '../data/types';
import { UnlabeledPool } from '../data/unlabeled-pool';
import { buildModel, EVAL_CTX, type Model } from '../models';
import { Rng } from '../util/rng';
import { CHECKPOINT_FORMAT, readVariables, writeVariables, type SessionCheckpoint } from './checkpoint';
import { resolveConfig, type TrainConfig, type TrainConfigInput } from './config';
import { evaluateModel, type EvalPredictions } from './evaluate';
import { checkSettingsChange, type SettingsChange, type SettingsChangeAt } from '../vocabulary/settings-change';
import { cosineLr } from './lr-schedule';
import { TrainingDivergedError, type EvalMetrics, type SessionListener, type StepMetrics } from './metrics';
import { createOptimizer, type Optimizer } from './optimizers';
import { calibrate, queueTrainingStep, readStepScalars, type ConsistencyTerm, type StepResult } from './step';

export type SessionState = 'ready' | 'running' | 'paused' | 'done' | 'failed';

/** Lets the host (a Worker's message queue, a CLI's progress bar) run between steps. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** A step queued on the backend, its scalars on their way back. */
interface QueuedStep {
  step: number;
  t0: number;
  lr: number;
  lambda: number;
  result: Promise<StepResult>;
}

/** Where consistency targets come from: the EMA teacher (lsq+cr) or a fixed full-precision model (lsq+kd). */
type TargetSource = { kind: 'ema'; teacher: EmaTeacher } | { kind: 'kd'; model: Model } | null;

/**
 * One training run: a model, its optimizer, a seeded data order and augmentation, and for lsq+cr an EMA teacher
 * fed a second view. Drive it with `start`/`pause`/`resume`, or one step at a time with `stepOnce`. Everything a
 * step allocates is released before it returns.
 */
export class TrainingSession {
  readonly config: TrainConfig;
  /** The config as given, before any change mid-run: what a checkpoint names and a restore compares. */
  private readonly baseConfig: TrainConfig;
  readonly model: Model;
  readonly norm: Normalization;
  readonly augment: ResolvedAugment;
  readonly split: { labeled: Int32Array; validation: Int32Array; unlabeled: Int32Array };
  readonly unlabeledPool: UnlabeledPool;
  private readonly optimizer: Optimizer;
  private readonly sampler: BatchSampler;
  private readonly viewA: Rng;
  private readonly viewB: Rng;
  /** The unlabeled batch has generators of its own, so LSQ and LSQ+CR runs of a seed augment labeled batches alike. */
  private readonly unlabeledViewA: Rng;
  private readonly unlabeledViewB: Rng;
  private readonly testIndices: Int32Array;
  private targets: TargetSource = null;
  private stepsDone = 0;
  /** Steps queued on the backend; one ahead of stepsDone while a step's scalars are still on their way back. */
  private stepsQueued = 0;
  private lastCompletedAt = 0;
  private calibrated = false;
  private stateValue: SessionState = 'ready';
  private loop: Promise<void> | null = null;
  private lastTestPredictionsValue: (EvalPredictions & { step: number }) | null = null;
  private pendingChanges: SettingsChangeAt[] = [];
  private readonly appliedChanges: SettingsChangeAt[] = [];

  constructor(readonly dataset: Dataset, input: TrainConfigInput = {}, norm?: Normalization) {
    this.config = resolveConfig(input);
    this.baseConfig = structuredClone(this.config);
    const c = this.config;
    this.norm = norm ?? channelStats(dataset);
    this.augment = resolveAugment(c.augment, dataset.name);
    this.split = splitTrain(dataset.train.labels, dataset.numClasses, { labeled: c.labeled, validation: c.validation, seed: c.seed });
    this.sampler = new BatchSampler(this.split.labeled, c.seed, 'labeled');
    this.unlabeledPool = new UnlabeledPool(dataset, this.split.unlabeled, c.seed);
    this.viewA = new Rng(c.seed, 'view-a');
    this.viewB = new Rng(c.seed, 'view-b');
    this.unlabeledViewA = new Rng(c.seed, 'unlabeled-view-a');
    this.unlabeledViewB = new Rng(c.seed, 'unlabeled-view-b');
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

  /** The EMA teacher of an lsq+cr run (after the first step), else null. */
  get teacher(): EmaTeacher | null {
    return this.targets?.kind === 'ema' ? this.targets.teacher : null;
  }

  /** lsq+kd distils from a trained full-precision model of the same architecture; the caller keeps ownership. */
  setDistillationTeacher(model: Model): void {
    if (this.config.method !== 'lsq+kd') throw new Error(`only lsq+kd runs take a distillation teacher (this run is ${this.config.method})`);
    this.targets = { kind: 'kd', model };
  }

  /** Adds decoded images (HWC uint8 at the model's input size) to the unlabeled pool; returns its new size. */
  addUnlabeledImages(images: Uint8Array): number {
    return this.unlabeledPool.addImages(images);
  }

  /** Replaces the images added to the unlabeled pool (a person removed or added some); returns its new size. */
  setAddedUnlabeledImages(images: Uint8Array): number {
    return this.unlabeledPool.replaceAdded(images);
  }

  private teacherForward(x: tf.Tensor4D): tf.Tensor2D {
    const t = this.targets!;
    return t.kind === 'ema' ? t.teacher.model.forward(x, t.teacher.forwardContext) : t.model.forward(x, EVAL_CTX);
  }

  /**
   * The consistency term of step t, or null when there is none (λ(t) = 0 skips the teacher and the unlabeled batch,
   * so a λ = 0 run trains exactly like plain LSQ). lsq+cr: the teacher sees view B, the student view A; lsq+kd: both
   * see view A.
   */
  private consistencyTerm(xRaw: tf.Tensor4D, xA: tf.Tensor4D, lambda: number, owned: tf.Tensor[]): ConsistencyTerm | null {
    const c = this.config;
    if (this.targets === null || lambda === 0) return null;
    const cr = this.targets.kind === 'ema';
    const keep = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);
    const teacherInput = (raw: tf.Tensor4D, studentView: tf.Tensor4D, rng: Rng) => (cr ? keep(augmentBatch(raw, this.augment, rng)) : studentView);
    const labeledTargets = keep(tf.tidy(() => this.teacherForward(teacherInput(xRaw, xA, this.viewB))));
    const m = Math.round(c.batchSize * c.cr.unlabeledRatio);
    let unlabeled: ConsistencyTerm['unlabeled'] = null;
    if (m > 0 && this.unlabeledPool.size > 0) {
      const uRaw = keep(this.unlabeledPool.sample(m, this.norm));
      const uA = keep(augmentBatch(uRaw, this.augment, this.unlabeledViewA));
      unlabeled = { x: uA, targets: keep(tf.tidy(() => this.teacherForward(teacherInput(uRaw, uA, this.unlabeledViewB)))) };
    }
    return { labeledTargets, unlabeled, lambda, temperature: c.cr.temperature, kind: c.cr.consistency };
  }

  /** One optimizer step on a labeled batch, read back before it returns; evaluation follows when one is due. */
  async trainStep(listener: SessionListener = {}): Promise<StepMetrics> {
    return this.completeStep(this.queueStep(listener), listener, true);
  }

  /**
   * Queues step `stepsQueued + 1` on the backend without reading anything back. The step's batch, learning rate, λ
   * and random draws are fixed here, in step order, so a step queued early trains exactly as one run alone.
   */
  private queueStep(listener: SessionListener): QueuedStep {
    if (this.stepsQueued >= this.config.steps) throw new Error(`the run is complete (${this.config.steps} steps)`);
    this.applyDueChanges(listener);
    const c = this.config;
    if (c.method === 'lsq+kd' && !this.targets) throw new Error('lsq+kd needs a trained full-precision teacher: call setDistillationTeacher first');
    const t0 = performance.now();
    const index = this.stepsQueued;
    const lr = cosineLr(index, c.steps, c.lr, c.warmupSteps);
    const lambda = c.method === 'lsq+cr' || c.method === 'lsq+kd' ? lambdaAt(index, c.cr.lambda) : 0;
    const { x, y } = makeBatch(this.dataset, this.dataset.train, this.sampler.next(c.batchSize), this.norm);
    const owned: tf.Tensor[] = [x, y];
    let scalars: tf.Tensor1D;
    try {
      if (!this.calibrated) {
        calibrate(this.model, x);
        this.calibrated = true;
        // The teacher starts as a copy of the calibrated student.
        if (c.method === 'lsq+cr') this.targets = { kind: 'ema', teacher: new EmaTeacher(this.model, c.cr.teacher) };
      }
      const xA = augmentBatch(x, this.augment, this.viewA);
      owned.push(xA);
      const term = this.consistencyTerm(x, xA, lambda, owned);
      scalars = queueTrainingStep(this.model, this.optimizer, xA, y, this.dataset.numClasses, lr, term);
      this.teacher?.update();
    } finally {
      tf.dispose(owned);
    }
    this.stepsQueued++;
    listener.onQueued?.(this.stepsQueued);
    // The read starts now, behind this step's work and ahead of any step queued after it.
    return { step: this.stepsQueued, t0, lr, lambda, result: readStepScalars(scalars) };
  }

  /** Waits for a queued step's scalars and reports it; `last` says no later step is queued (its afterStep runs). */
  private async completeStep(q: QueuedStep, listener: SessionListener, last: boolean): Promise<StepMetrics> {
    const result = await q.result;
    this.stepsDone = q.step;
    const now = performance.now();
    // With a step queued behind the previous one, the time per step is the time between two results.
    const msPerStep = now - Math.max(q.t0, this.lastCompletedAt);
    this.lastCompletedAt = now;
    if (!Number.isFinite(result.loss)) {
      this.stateValue = 'failed';
      throw new TrainingDivergedError(this.stepsDone);
    }
    const metrics: StepMetrics = {
      step: this.stepsDone,
      loss: result.loss,
      ce: result.ce,
      consistency: result.consistency,
      lambda: q.lambda,
      accuracy: result.correct / this.config.batchSize,
      lr: q.lr,
      msPerStep,
    };
    listener.onStep?.(metrics);
    await this.evaluateIfDue(listener);
    if (last) await listener.afterStep?.(metrics);
    if (this.stepsDone >= this.config.steps) this.stateValue = 'done';
    return metrics;
  }

  /**
   * Whether step `step` must be read back before the next is queued: an evaluation, a settings change due next, or
   * the listener's afterStep needs the model as it is after it. A listener with afterStep and no holdAfter holds
   * after every step.
   */
  private holdsAfter(step: number, listener: SessionListener): boolean {
    const { evalEvery, steps } = this.config;
    if (step >= steps || (evalEvery > 0 && step % evalEvery === 0)) return true;
    if (this.pendingChanges.some((p) => p.step <= step + 1)) return true;
    if (!listener.afterStep) return false;
    return listener.holdAfter ? listener.holdAfter(step) : true;
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
    const { predictions, ...r } = await evaluateModel(this.model, this.dataset, set, idx, this.norm, this.teacher?.model ?? null);
    if (split === 'test') this.lastTestPredictionsValue = { step: this.stepsDone, ...predictions };
    return { step: this.stepsDone, split, samples: idx.length, ...r };
  }

  /** Every image's predicted class at the last test evaluation: which images sit in a cell of its confusion matrix. */
  get lastTestPredictions(): (EvalPredictions & { step: number }) | null {
    return this.lastTestPredictionsValue;
  }

  /**
   * Changes λ_max, the base learning rate or the EMA decay from step `fromStep` on (1-based: that step uses the new
   * values), so runs paused at different steps can all switch at the same one. A step already past applies next.
   */
  changeSettings(change: SettingsChange, fromStep = this.stepsQueued + 1): void {
    const why = checkSettingsChange(change);
    if (why) throw new RangeError(why);
    this.pendingChanges.push({ step: Math.max(fromStep, this.stepsQueued + 1), change });
  }

  /** The changes applied so far, with the step each applied from. */
  get settingsChanges(): readonly SettingsChangeAt[] {
    return this.appliedChanges;
  }

  private applyDueChanges(listener: SessionListener): void {
    const next = this.stepsQueued + 1;
    const due = this.pendingChanges.filter((p) => p.step <= next);
    if (due.length === 0) return;
    this.pendingChanges = this.pendingChanges.filter((p) => p.step > next);
    for (const { change } of due) {
      this.applyChange(change);
      const applied = { step: next, change };
      this.appliedChanges.push(applied);
      listener.onSettingsChange?.(applied);
    }
  }

  private applyChange(change: SettingsChange): void {
    // Fresh objects: the resolved config may share nested defaults with other sessions.
    const c = this.config as { -readonly [K in keyof TrainConfig]: TrainConfig[K] };
    if (change.lr !== undefined) c.lr = change.lr;
    if (change.lambdaMax !== undefined) c.cr = { ...c.cr, lambda: { ...c.cr.lambda, max: change.lambdaMax } };
    if (change.emaDecay !== undefined) {
      c.cr = { ...c.cr, teacher: { ...c.cr.teacher, decay: change.emaDecay } };
      this.teacher?.setDecay(change.emaDecay);
    }
  }

  /**
   * Trains until the last step or a pause. Resolves when the loop stops; a failure rejects. With `overlap` (the
   * default) step t+1 is queued before step t's scalars are awaited, so the device never waits for a read-back;
   * the numbers are those of a run read back step by step.
   */
  start(listener: SessionListener = {}, opts: { overlap?: boolean } = {}): Promise<void> {
    if (this.loop) return this.loop;
    if (this.stateValue === 'done' || this.stateValue === 'failed') return Promise.resolve();
    const overlap = opts.overlap ?? true;
    this.stateValue = 'running';
    this.loop = (async () => {
      let pending: QueuedStep | null = null;
      try {
        let lastYield = performance.now();
        while (this.stateValue === 'running' && this.stepsQueued < this.config.steps) {
          const queued = this.queueStep(listener);
          const before = pending;
          pending = queued;
          if (before) await this.completeStep(before, listener, false);
          if (!overlap || this.holdsAfter(queued.step, listener)) {
            pending = null;
            await this.completeStep(queued, listener, true);
          }
          // Backends that read back synchronously never leave the microtask queue; give the host a turn.
          if (performance.now() - lastYield > 30) {
            await yieldToEventLoop();
            lastYield = performance.now();
          }
        }
        // A pause (or the end) leaves no step queued and unreported.
        const before = pending;
        pending = null;
        if (before) await this.completeStep(before, listener, true);
      } finally {
        // A failure with a step still queued: that step ran, so the run stands after it; its read's own error, if
        // any, is the same failure and is not reported twice.
        if (pending) {
          const left: QueuedStep = pending;
          await left.result.catch(() => undefined);
          if (this.stateValue !== 'failed') this.stepsDone = left.step;
        }
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

  /** A snapshot to continue this run from later (between steps: pause first, or call it from a step listener). */
  async checkpoint(): Promise<SessionCheckpoint> {
    const teacher = this.teacher;
    return {
      format: CHECKPOINT_FORMAT,
      version: 1,
      config: this.baseConfig,
      step: this.stepsDone,
      settingsChanges: { applied: this.appliedChanges.map((c) => ({ ...c })), pending: this.pendingChanges.map((c) => ({ ...c })) },
      calibrated: this.calibrated,
      student: await readVariables(this.model),
      teacher: teacher ? { tensors: await readVariables(teacher.model), updates: teacher.updateCount } : null,
      optimizer: await this.optimizer.state(),
      sampler: this.sampler.state(),
      rng: {
        viewA: this.viewA.state(),
        viewB: this.viewB.state(),
        unlabeledViewA: this.unlabeledViewA.state(),
        unlabeledViewB: this.unlabeledViewB.state(),
        unlabeled: this.unlabeledPool.rngState(),
      },
    };
  }

  /**
   * Continues from a checkpoint of a run with the same config and dataset, before this session's first step. The
   * images a person added to the unlabeled pool are not in it: the host adds them again.
   */
  restore(cp: SessionCheckpoint): void {
    if (cp?.format !== CHECKPOINT_FORMAT || cp.version !== 1) throw new RangeError('not a checkpoint of this version');
    if (this.stepsDone > 0 || this.loop) throw new Error('restore a checkpoint into a fresh session, before its first step');
    if (JSON.stringify(cp.config) !== JSON.stringify(this.config)) throw new RangeError("the checkpoint is of a run with other settings");
    if (cp.step > this.config.steps) throw new RangeError(`the checkpoint is at step ${cp.step}, past the run's ${this.config.steps}`);
    // The changes made mid-run before the checkpoint, as they were applied (the teacher below takes its decay from
    // the config they leave); the same changes sent again (a link reopened) are not applied twice.
    const applied = cp.settingsChanges?.applied ?? [];
    for (const a of applied) this.applyChange(a.change);
    this.appliedChanges.push(...applied);
    const same = (a: SettingsChangeAt, b: SettingsChangeAt) => a.step === b.step && JSON.stringify(a.change) === JSON.stringify(b.change);
    const pending: SettingsChangeAt[] = [];
    for (const p of [...(cp.settingsChanges?.pending ?? []), ...this.pendingChanges]) {
      if (!applied.some((a) => same(a, p)) && !pending.some((q) => same(q, p))) pending.push(p);
    }
    this.pendingChanges = pending;
    writeVariables(this.model, cp.student, 'student');
    if (cp.calibrated) {
      this.model.markCalibrated();
      this.calibrated = true;
      if (this.config.method === 'lsq+cr') {
        if (!cp.teacher) throw new RangeError('the checkpoint of an LSQ+CR run has no teacher');
        const teacher = new EmaTeacher(this.model, this.config.cr.teacher);
        writeVariables(teacher.model, cp.teacher.tensors, 'teacher');
        teacher.setUpdateCount(cp.teacher.updates);
        this.targets = { kind: 'ema', teacher };
      }
    }
    this.optimizer.restore(cp.optimizer);
    this.sampler.restore(cp.sampler);
    this.viewA.restore(cp.rng.viewA);
    this.viewB.restore(cp.rng.viewB);
    this.unlabeledViewA.restore(cp.rng.unlabeledViewA);
    this.unlabeledViewB.restore(cp.rng.unlabeledViewB);
    this.unlabeledPool.restoreRng(cp.rng.unlabeled);
    this.stepsDone = cp.step;
    this.stepsQueued = cp.step;
    this.stateValue = cp.step >= this.config.steps ? 'done' : cp.step > 0 ? 'paused' : 'ready';
  }

  dispose(): void {
    this.teacher?.dispose();
    this.optimizer.dispose();
    this.model.dispose();
  }
}
