/**
 * Owns one training run: the engine, its backend and its session. Commands in, status and batched metrics out. The
 * Worker file is a shell around it; everything the browser provides (posting, the backend's assets, the shipped
 * dataset's download, closing) comes in as an environment, so tests drive the host in Node.
 *
 * The rules that keep concurrent commands apart:
 * - Commands that move or perturb the weights, or build or free the session, run one at a time in arrival order
 *   (JobQueue). A pause or a reset also acts at once: it raises the signal of every job asked for before it.
 * - A configure or reset drops the run the moment it arrives: the session is detached, and from then on nothing of
 *   it is posted; its teardown waits its turn in the queue, and the 'ready' that follows is the next thing the page
 *   hears. Nothing builds tensors before the backend is up.
 */
import * as tf from '@tensorflow/tfjs';
import { SHIPPED_DATASET, type DatasetName } from '../config/playground-config';
import { type BackendChoice, type BackendReport, checkpointBuffers, type Dataset, HessianAbortedError, serializeModel, type SessionListener, type SharpnessMode, SharpnessTracker, stepSizes, type TrainConfigInput, TrainingDivergedError, TrainingSession } from '../engine';
import { onnxBytes, torchZip } from './export-files';
import { cellBuffers, confusionCell, testPredictionBuffers, testPredictions } from './confusion-cell';
import { DatasetCache } from './dataset-cache';
import { inspectionBuffers, inspectRun } from './inspect-run';
import { interruptible, JobInterrupted, JobQueue, type JobContext } from './job-queue';
import { batchBuffers, MetricBatcher } from './metric-batcher';
import type { RunErrorKind, RunPhase, StampedEvent, WorkerCommand, WorkerEvent } from './protocol';
import { QuantWatch, quantReportBuffers } from './quant-watch';
import { measureLayerSpectrum, measureSpectrum } from './spectrum';
import { classifyPool, poolPredictionBuffers, UserImages } from './user-images';
import { WeightGuard } from './weight-guard';
import { chooseBackendByTiming, workloadOf } from './backend-by-timing';
import { memoryTimingStore, type TimingStore } from './backend-timing-store';

/** What the host needs from the thread it runs on. */
export interface HostEnvironment {
  /** Sends an event to the page; the buffers in `transfer` move with it instead of being copied. */
  post(event: StampedEvent, transfer: Transferable[]): void;
  /**
   * Selects and readies a TF.js backend (in the browser: with the bundled wasm binaries and the core count);
   * `softwareWebgpuIsCandidate` (tests) lets `auto` time a software WebGPU adapter as if it were a GPU.
   */
  initBackend(choice: BackendChoice, wasmThreads?: number, opts?: { softwareWebgpuIsCandidate?: boolean }): Promise<BackendReport>;
  /** Where `auto` remembers its backend timings (default: this host's life). */
  timingStore?: TimingStore;
  /** Runs `fn` while no other run of the page times backends (default: at once). */
  exclusive?<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Downloads the dataset shipped with the page. */
  loadShippedDataset(): Promise<Dataset>;
  /** Ends the thread, after a dispose. */
  close(): void;
}

/** How often the learned step sizes are sampled for their chart. */
const STEP_SIZE_INTERVAL_MS = 500;

/** How often a training run posts a checkpoint between steps (besides when it pauses or ends): at most this much training is lost to a reload or a lost device. */
export const CHECKPOINT_INTERVAL_MS = 10_000;

function errorKind(err: unknown): RunErrorKind {
  return err instanceof TrainingDivergedError ? 'diverged' : 'failed';
}

export class TrainingHost {
  private readonly jobs = new JobQueue();
  private readonly datasets: DatasetCache;
  private readonly batcher: MetricBatcher;
  /** The images a person added on the page, for the unlabeled pool. */
  private readonly userImages = new UserImages();
  private readonly weights = new WeightGuard();
  /** Grid-point flips and quantization error of the current run. */
  private readonly quant = new QuantWatch();
  /** Settles once `init` has brought the backend up (or given up): tensors made earlier would sit on TF.js's default one. */
  private backendReady: Promise<void> = Promise.resolve();
  private datasetName: DatasetName = SHIPPED_DATASET;
  private config: TrainConfigInput = {};
  private sharpness: { mode: SharpnessMode; every: number } = { mode: 'off', every: 50 };
  /** The current run's session: null until a command builds it, and again from the moment a configure or reset arrives. */
  private session: TrainingSession | null = null;
  private tracker: SharpnessTracker | null = null;
  /** Time spent training and on live Hessian estimates, for the share the page shows. */
  private trainMs = 0;
  private hessianMs = 0;
  private lastStepSizes = -Infinity;
  /** After a dispose: later commands are ignored. */
  private closed = false;
  /** The generation of the last configure or reset: every event is stamped with it (protocol.ts, StampedEvent). */
  private gen = 0;
  /** Test-only commands are honoured (set by init); a device destroyed through them counts as lost. */
  private testHooks = false;
  private provokedLoss = false;
  private deviceLost = false;
  private lastCheckpoint = performance.now();
  /** The backend report `init` posted, and the workload `auto` last timed its candidates on. */
  private backendReport: BackendReport | null = null;
  private wasmThreads: number | undefined;
  private timedWorkload: string | null = null;
  private watchedDevice: unknown = null;
  private readonly timingStore: TimingStore;

  constructor(
    private readonly env: HostEnvironment,
    private readonly checkpointEveryMs = CHECKPOINT_INTERVAL_MS,
  ) {
    this.datasets = new DatasetCache(() => env.loadShippedDataset());
    this.timingStore = env.timingStore ?? memoryTimingStore();
    this.batcher = new MetricBatcher((batch) => this.post({ type: 'metrics', batch }, batchBuffers(batch)));
  }

  /** Handles one command; resolves when its work is done. Never rejects: failures are posted as 'error' events. */
  handle(cmd: WorkerCommand): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.dispatch(cmd).catch((err: unknown) => this.fail(err));
  }

  private post(event: WorkerEvent, transfer: Transferable[] = []): void {
    this.env.post({ ...event, gen: this.gen }, transfer);
  }

  /** Whether `s` is still the current run's session (not dropped by a configure or reset). */
  private current(s: TrainingSession | null): boolean {
    return s === this.session;
  }

  /** Posts a phase of session `s` (the current run by default); a dropped run's phases are not posted. */
  private phase(p: RunPhase, s: TrainingSession | null = this.session): void {
    if (!this.current(s)) return;
    this.post({ type: 'phase', phase: p, step: s?.step ?? 0, totalSteps: s?.config.steps ?? this.config.steps ?? 0 });
  }

  private fail(err: unknown): void {
    // After a lost device every GPU call fails; the loss itself is what the page is told.
    if (this.deviceLost) return;
    this.batcher.flush();
    this.post({ type: 'error', kind: errorKind(err), message: err instanceof Error ? err.message : String(err) });
    // Without a session (its data failed to load) the run is back where it started, so the page is not stuck.
    this.phase(this.session ? this.session.state : 'ready');
  }

  private sampleStepSizes(s: TrainingSession, step: number): void {
    this.lastStepSizes = performance.now();
    stepSizes(s.model)
      .then(({ names, values }) => {
        // The read resolves later (a GPU round trip): the run may have been dropped meanwhile.
        if (names.length > 0 && this.current(s)) this.post({ type: 'step-sizes', step, names, values }, [values.buffer as ArrayBuffer]);
      })
      .catch(() => {
        // The session was freed mid-read (reset); the next sample comes from the next session.
      });
  }

  /** The quantization error at an evaluation; measured now, posted once read back (the run may be dropped by then). */
  private postQuantError(s: TrainingSession): void {
    const step = s.step;
    this.quant
      .report(s)
      .then((report) => {
        if (this.current(s)) this.post({ type: 'quant-error', step, report }, quantReportBuffers(report));
      })
      .catch((err: unknown) => {
        // A session freed mid-read (reset) has nothing to report; a live one says what failed, and trains on.
        if (this.current(s)) this.post({ type: 'error', kind: 'failed', message: `quantization error view: ${err instanceof Error ? err.message : String(err)}` });
      });
  }

  private checkpointDue(s: TrainingSession, step: number): boolean {
    return this.current(s) && step < s.config.steps && performance.now() - this.lastCheckpoint >= this.checkpointEveryMs;
  }

  private sharpnessDue(step: number, s: TrainingSession): boolean {
    return this.tracker !== null && (step % this.sharpness.every === 0 || step === s.config.steps);
  }

  /** What training session `s` reports, while it is the current run; `signal` cuts a live Hessian estimate short. */
  private listener(s: TrainingSession, signal: AbortSignal): SessionListener {
    return {
      onStep: (m) => {
        if (!this.current(s)) return;
        this.trainMs += m.msPerStep;
        this.batcher.push(m);
        if (m.step === 1) this.phase('running', s);
      },
      onQueued: (step) => {
        // Queued behind the step and ahead of the next: flips and step sizes of the model as this step left it.
        if (!this.current(s)) return;
        this.quant.afterStep(s);
        if (performance.now() - this.lastStepSizes >= STEP_SIZE_INTERVAL_MS || step === 1 || step === s.config.steps) this.sampleStepSizes(s, step);
      },
      onEval: (metrics) => {
        if (!this.current(s)) return;
        this.batcher.flush();
        this.post({ type: 'eval', metrics });
        this.postQuantError(s);
      },
      onSettingsChange: (c) => {
        if (!this.current(s)) return;
        this.batcher.flush();
        this.post({ type: 'settings-change', step: c.step, change: c.change });
      },
      holdAfter: (step) => this.checkpointDue(s, step) || this.sharpnessDue(step, s),
      afterStep: async (m) => {
        // Between two steps (the loop waits for this), and not at the end: `train` posts that one.
        if (this.checkpointDue(s, m.step)) await this.postCheckpoint(s);
        const t = this.tracker;
        if (!t || !this.current(s) || !this.sharpnessDue(m.step, s)) return;
        try {
          const estimate = await this.weights.perturb(() => t.estimate(s, signal));
          if (!this.current(s)) return;
          this.hessianMs += estimate.ms;
          this.batcher.flush();
          this.post({ type: 'sharpness', estimate, share: this.hessianMs / (this.hessianMs + this.trainMs) });
        } catch (e) {
          // A pause stops an estimate midway; the next one starts over.
          if (!(e instanceof HessianAbortedError)) throw e;
        }
      },
    };
  }

  /** Puts the added images into the session's unlabeled pool (when they fit its input) and says what the pool holds. */
  private reportPool(s: TrainingSession): void {
    const added = this.userImages.applyTo(s);
    const c = s.config;
    this.post({ type: 'pool', size: s.unlabeledPool.size, added, used: c.method === 'lsq+cr' && c.cr.unlabeledRatio > 0 && c.cr.lambda.max > 0 });
  }

  /** The current session, built on first use; a pause or drop cuts short the wait for the backend or the data. */
  private async ensureSession(job: JobContext): Promise<TrainingSession> {
    if (this.session) return this.session;
    await interruptible(this.backendReady, job.signal);
    const ds = await interruptible(this.datasets.get(this.datasetName, () => this.phase('loading-data')), job.signal);
    await this.chooseBackend(ds);
    const s = new TrainingSession(ds, this.config);
    this.session = s;
    this.reportPool(s);
    return s;
  }

  /** The session, for commands that look at a trained model; none before the first step. */
  private trainedSession(what: string): TrainingSession {
    if (!this.session || this.session.step === 0) throw new Error(`${what}: the run has not trained yet`);
    return this.session;
  }

  /**
   * Runs a read of the trained model (predictions, histograms, the model file) while its weights are as trained.
   * Null when the run was dropped meanwhile: the result, or the error of a model freed under it, belongs to a run
   * that no longer exists.
   */
  private async read<T>(s: TrainingSession, fn: (s: TrainingSession) => Promise<T>): Promise<T | null> {
    try {
      const out = await this.weights.read(() => fn(s));
      return this.current(s) ? out : null;
    } catch (e) {
      if (!this.current(s)) return null;
      throw e;
    }
  }

  /** An exclusive job on the current run. Skipped, and silent, once a configure or reset dropped that run. */
  private sessionJob(run: (job: JobContext) => Promise<void>, opts?: { pausable?: boolean }): Promise<void> {
    return this.jobs.enqueue(async (job) => {
      if (job.dropped) return;
      try {
        await run(job);
      } catch (e) {
        if (job.dropped) return;
        if (!(e instanceof JobInterrupted)) throw e;
        // A pause came while the backend or the data was still loading: the run never began.
        this.phase('ready');
      }
    }, opts);
  }

  /**
   * Posts where session `s` is, after the metrics of every step it covers, so the page can keep both together. Read
   * while the weights are as trained (not mid-estimate), copied once, and transferred.
   */
  private async postCheckpoint(s: TrainingSession): Promise<void> {
    if (s.step === 0 || s.state === 'failed') return;
    const read = await this.read(s, (x) => x.checkpoint());
    if (!read) return;
    // Its arrays may be TF.js's own copies of the variables (the cpu backend's values, webgpu's uploads): transferring
    // those would detach them under the session. One copy here; the post then moves it without a second.
    const checkpoint = structuredClone(read);
    this.lastCheckpoint = performance.now();
    this.batcher.flush();
    this.post({ type: 'checkpoint', checkpoint }, checkpointBuffers(checkpoint));
  }

  /** Runs until pause or the end, then reports where it stopped. */
  private async train(s: TrainingSession, signal: AbortSignal): Promise<void> {
    // The first step compiles shaders (webgpu) or warms up; say so rather than look frozen.
    this.phase(s.step === 0 ? 'compiling' : 'running', s);
    await s.start(this.listener(s, signal));
    this.batcher.flush();
    await this.postCheckpoint(s);
    this.phase(s.state, s);
  }

  /**
   * Drops the current run the moment a configure, reset or dispose arrives: its jobs stop (or are skipped), its
   * pending metrics are forgotten, its loop stops after the step in flight. Returns its session for `teardown`.
   */
  private retire(): TrainingSession | null {
    const s = this.session;
    this.session = null;
    this.jobs.drop();
    this.batcher.discard();
    // A step that fails now is the dropped run's, unreported (its job is dropped).
    s?.pause().catch(() => undefined);
    return s;
  }

  /** Frees a dropped session once reads of it in flight are done (the queue has already let its jobs end). */
  private async teardown(old: TrainingSession | null): Promise<void> {
    await this.weights.settled();
    this.quant.dispose();
    old?.dispose();
    this.tracker = this.sharpness.mode === 'off' ? null : new SharpnessTracker(this.sharpness.mode);
    this.trainMs = 0;
    this.hessianMs = 0;
  }

  /**
   * `auto` with two fast backends: the first session of each workload times both on it (or takes the figures this
   * machine remembers), switches to the faster and posts the report with both figures. No tensor exists yet.
   */
  private async chooseBackend(ds: Dataset): Promise<void> {
    const report = this.backendReport;
    if (!report?.candidates || this.timedWorkload === workloadOf(ds, this.config)) return;
    this.phase('timing-backends');
    const exclusive = this.env.exclusive?.bind(this.env) ?? ((_name: string, fn: () => Promise<unknown>) => fn());
    const chosen = await chooseBackendByTiming(report, ds, this.config, {
      initBackend: (c, threads) => this.env.initBackend(c, threads),
      store: this.timingStore,
      exclusive: (fn) => exclusive('qat-backend-timing', fn) as ReturnType<typeof fn>,
      cores: (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1,
      wasmThreads: this.wasmThreads,
    });
    this.timedWorkload = workloadOf(ds, this.config);
    this.backendReport = { ...chosen, candidates: report.candidates };
    if (chosen.name === 'webgpu') this.watchDevice();
    this.post({ type: 'backend', report: chosen });
  }

  /** Reports a lost WebGPU device (driver reset, GPU process crash) as this run's error. */
  private watchDevice(): void {
    const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
    // One watch per device: a backend switched away from and back keeps its device.
    if (!device || this.watchedDevice === device) return;
    this.watchedDevice = device;
    device.lost.then((info) => {
      // 'destroyed' is our own dispose, unless a test destroyed the device to stand for a real loss.
      if (info.reason === 'destroyed' && !this.provokedLoss) return;
      this.deviceLost = true;
      this.batcher.flush();
      this.post({ type: 'error', kind: 'device-lost', message: `the GPU device was lost: ${info.message || 'no reason given'}` });
      // Nothing more can run on it: the run stops where it is (its last checkpoint is on the page).
      this.session?.pause().catch(() => undefined);
    });
  }

  private async dispatch(cmd: WorkerCommand): Promise<void> {
    switch (cmd.type) {
      case 'init': {
        this.testHooks = cmd.testHooks === true;
        this.phase('starting');
        this.wasmThreads = cmd.wasmThreads;
        const init = this.env.initBackend(cmd.backend, cmd.wasmThreads, { softwareWebgpuIsCandidate: this.testHooks && cmd.timeSoftwareWebgpu === true });
        this.backendReady = init.then(() => undefined, () => undefined);
        const report = await init;
        this.backendReport = report;
        this.timedWorkload = null;
        if (report.name === 'webgpu') this.watchDevice();
        this.post({ type: 'backend', report });
        return;
      }
      case 'dataset':
        // Keep the shipped one, the one in use and this one (which a configure will name).
        this.datasets.keepOnly(this.datasetName);
        this.datasets.add(cmd.id, cmd.dataset);
        return;
      case 'unlabeled':
        this.userImages.set(cmd.ids, cmd.images, cmd.shape);
        // Between two steps: the next unlabeled batch already draws from the new pool.
        if (this.session) this.reportPool(this.session);
        return;
      case 'classify-pool': {
        const s = this.session;
        if (!s || s.step === 0) return;
        const predictions = await this.read(s, (x) => classifyPool(x, this.userImages, cmd.ids));
        if (predictions) this.post({ type: 'pool-predictions', predictions }, poolPredictionBuffers(predictions));
        return;
      }
      case 'configure': {
        this.gen = cmd.gen ?? this.gen + 1;
        const old = this.retire();
        return this.jobs.enqueue(async () => {
          this.sharpness = cmd.sharpness;
          await this.teardown(old);
          this.config = cmd.config;
          this.datasetName = cmd.dataset;
          // The session that used another loaded dataset is gone: its copy can go too.
          this.datasets.keepOnly(this.datasetName);
          this.phase('ready');
        });
      }
      case 'start':
      case 'resume':
        return this.sessionJob(async (job) => {
          const s = await this.ensureSession(job);
          // A pause sent after this start keeps the run where it is (the pause reports where).
          if (job.signal.aborted) return;
          await this.train(s, job.signal);
        });
      case 'pause':
        // At once: stops the loop after its step and cuts short a spectrum or estimate (theirs and queued ones).
        this.jobs.interrupt();
        this.session?.pause().catch(() => undefined);
        // Then, behind what it stopped, says where the run is.
        return this.jobs.enqueue(async () => {
          await this.weights.settled();
          this.batcher.flush();
          if (this.session) this.phase(this.session.state);
        });
      case 'step':
        return this.sessionJob(async (job) => {
          const s = await this.ensureSession(job);
          if (s.state === 'done' || s.state === 'failed') return;
          // Busy while the step (and its evaluation or sharpness estimate) runs, so the page waits for it.
          this.phase('running', s);
          try {
            await s.stepOnce(this.listener(s, job.signal));
            await this.postCheckpoint(s);
          } finally {
            this.batcher.flush();
            this.sampleStepSizes(s, s.step);
            this.phase(s.state, s);
          }
        });
      case 'evaluate':
        return this.sessionJob(async (job) => {
          const s = await this.ensureSession(job);
          const metrics = await s.evaluate('test');
          if (this.current(s)) this.post({ type: 'eval', metrics });
        });
      case 'change-settings':
        // The loop picks it up at the start of step fromStep; a run not built yet takes it once it is.
        if (this.session) return void this.session.changeSettings(cmd.change, cmd.fromStep);
        return this.sessionJob(async (job) => {
          const s = await this.ensureSession(job);
          s.changeSettings(cmd.change, cmd.fromStep);
        });
      case 'confusion-cell': {
        // Read from the predictions the last evaluation kept: no tensors, so no need to wait for the weights.
        const s = this.session;
        const cell = s ? confusionCell(s, cmd.truth, cmd.predicted, cmd.model, cmd.limit) : null;
        if (cell) this.post({ type: 'cell-images', cell }, cellBuffers(cell));
        return;
      }
      case 'test-predictions': {
        const s = this.session;
        const predictions = s ? testPredictions(s, cmd.indices) : null;
        if (predictions) this.post({ type: 'test-predictions', predictions }, testPredictionBuffers(predictions));
        return;
      }
      case 'inspect': {
        // Nothing to look at before the first step (and no session to build for it).
        const s = this.session;
        if (!s || s.step === 0) return;
        const inspection = await this.read(s, (x) => inspectRun(x, cmd.images));
        if (inspection) this.post({ type: 'inspection', inspection }, inspectionBuffers(inspection));
        return;
      }
      case 'spectrum':
        return this.sessionJob(async (job) => {
          const s = this.trainedSession('spectrum');
          this.phase('hessian', s);
          try {
            const summary = await this.weights.perturb(() => measureSpectrum(s, cmd.k, cmd.samples, job.signal));
            if (this.current(s)) this.post({ type: 'spectrum', step: s.step, summary });
          } catch (e) {
            if (!(e instanceof HessianAbortedError)) throw e;
          } finally {
            this.phase(s.state, s);
          }
        });
      case 'layer-eigenvalues':
        // As a spectrum: products perturb the weights, a pause stops them between two, the result is this run's.
        return this.sessionJob(async (job) => {
          const s = this.trainedSession('per-layer eigenvalues');
          this.phase('hessian', s);
          try {
            const spectrum = await this.weights.perturb(() => measureLayerSpectrum(s, cmd.samples, job.signal));
            if (this.current(s)) this.post({ type: 'layer-eigenvalues', step: s.step, spectrum });
          } catch (e) {
            if (!(e instanceof HessianAbortedError)) throw e;
          } finally {
            this.phase(s.state, s);
          }
        });
      case 'export-model': {
        const s = this.trainedSession('model export');
        const file = await this.read(s, async (x) => ({ text: await serializeModel(x.model, x.config, x.step, { dataset: x.dataset.name, normalization: x.norm }), steps: x.step }));
        if (!file) return;
        if (cmd.format === undefined || cmd.format === 'model-file') return void this.post({ type: 'model-file', ...file });
        const bytes = cmd.format === 'onnx' ? onnxBytes(file.text) : await this.read(s, (x) => torchZip(x, cmd.pageUrl ?? ''));
        if (bytes) this.post({ type: 'export-file', format: cmd.format, bytes, steps: file.steps }, [bytes.buffer as ArrayBuffer]);
        return;
      }
      case 'restore':
        // Putting a saved run back is not training: a pause while it waits for the data or the backend timing leaves
        // it to finish (cancelling it would lose the run from the page). A configure or reset still drops it.
        return this.sessionJob(
          async (job) => {
            const s = await this.ensureSession(job);
            s.restore(cmd.checkpoint);
            this.lastCheckpoint = performance.now();
            this.phase(s.state, s);
          },
          { pausable: false },
        );
      case 'reset': {
        this.gen = cmd.gen ?? this.gen + 1;
        const old = this.retire();
        return this.jobs.enqueue(async () => {
          await this.teardown(old);
          this.phase('ready');
        });
      }
      case 'test-lose-device': {
        const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
        if (!this.testHooks || !device) return;
        this.provokedLoss = true;
        device.destroy();
        return;
      }
      case 'test-crash':
        // An uncaught error in the Worker's global scope, as a bug would throw: the page sees the Worker's onerror.
        if (this.testHooks) setTimeout(() => {
          throw new Error('the Worker was crashed on purpose (test hook)');
        }, 0);
        return;
      case 'dispose': {
        const old = this.retire();
        this.closed = true;
        return this.jobs.enqueue(async () => {
          await this.teardown(old);
          tf.disposeVariables();
          this.env.close();
        });
      }
    }
  }
}
