/** The typed messages between the page and a training Worker. Both sides import this file. */
import type { DatasetName } from '../config/playground-config';
import { type BackendChoice, type BackendReport, type Dataset, type EvalMetrics, type HessianSummary, type LayerSpectrum, type QuantReport, type SessionCheckpoint, type SessionState, type SettingsChange, type SharpnessEstimate, type SharpnessMode, type TrainConfigInput, type WeightHistogram } from '../engine';
import type { InputShape } from '../user-data/images/crop';
import type { CellImages, CellModel, TestPredictions } from './confusion-cell';

export type WorkerCommand =
  /** `testHooks`: honour the test-only commands below (the page's `?test-hooks`); never set in normal use. */
  | {
      type: 'init';
      backend: BackendChoice;
      testHooks?: boolean;
      /** wasm: XNNPACK threads of this Worker. */
      wasmThreads?: number;
      /** Test-only (with testHooks): `auto` times a software WebGPU adapter against wasm as if it were a GPU. */
      timeSoftwareWebgpu?: boolean;
    }
  /** A dataset loaded from files on the page, for configures that name it. */
  | { type: 'dataset'; id: string; dataset: Dataset }
  /** The images a person added (all of them, replacing the previous set), for the unlabeled pool of CR runs. */
  | { type: 'unlabeled'; ids: Int32Array; images: Uint8Array; shape: InputShape }
  /** Student (and teacher) predictions for some of the added images. */
  | { type: 'classify-pool'; ids: number[] }
  /** `gen`: the run's new generation (see StampedEvent); without one the Worker counts up from its last. */
  | { type: 'configure'; dataset: DatasetName; config: TrainConfigInput; sharpness: { mode: SharpnessMode; every: number }; gen?: number }
  | { type: 'start' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'step' }
  | { type: 'reset'; gen?: number }
  | { type: 'evaluate' }
  /** Predictions on a few test images and the weight histograms. */
  | { type: 'inspect'; images: number }
  /** The test images of one cell of the last evaluation's confusion matrix (student's or teacher's), at most `limit`. */
  | { type: 'confusion-cell'; truth: number; predicted: number; model: CellModel; limit: number }
  /** This run's predictions at its last evaluation for test images another run's cell holds. */
  | { type: 'test-predictions'; indices: number[] }
  /** Changes λ_max, the learning rate or the EMA decay from step `fromStep` on (the page sends every run the same one). */
  | { type: 'change-settings'; change: SettingsChange; fromStep: number }
  /** The trained student as a file. */
  /** The trained student as the project's model file, as a QDQ ONNX model, or the run as a PyTorch project (zip). */
  | { type: 'export-model'; format?: 'model-file' | 'onnx' | 'torch'; pageUrl?: string }
  /** The top-k Hessian eigenvalues and the trace of the student now (paused or done). */
  | { type: 'spectrum'; k: number; samples: number }
  /** The top Hessian eigenvalue of each layer's own parameters (the others fixed), on `samples` labeled images. */
  | { type: 'layer-eigenvalues'; samples: number }
  /** Continue the configured run from a checkpoint it posted earlier (a reload, a lost device, a crashed Worker). */
  | { type: 'restore'; checkpoint: SessionCheckpoint }
  | { type: 'dispose' }
  /** Test only (ignored without `testHooks`): destroys the WebGPU device as a driver reset would, or crashes the Worker. */
  | { type: 'test-lose-device' }
  | { type: 'test-crash' };

/** What the Worker is doing, beyond the session's own states. */
export type RunPhase = 'starting' | 'loading-data' | 'timing-backends' | 'compiling' | 'hessian' | SessionState;

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
  | { type: 'export-file'; format: 'onnx' | 'torch'; bytes: Uint8Array; steps: number }
  /** A live top-eigenvalue estimate and the share of the run's time spent on them so far. */
  | { type: 'sharpness'; estimate: SharpnessEstimate; share: number }
  | { type: 'spectrum'; step: number; summary: HessianSummary }
  | { type: 'layer-eigenvalues'; step: number; spectrum: LayerSpectrum }
  /** The unlabeled pool this run draws from: its size, and how many of them a person added. */
  | { type: 'pool'; size: number; added: number; used: boolean }
  | { type: 'pool-predictions'; predictions: PoolPredictions }
  | { type: 'cell-images'; cell: CellImages }
  /** A mid-run change took effect: `step` is the first step trained with it. */
  | { type: 'settings-change'; step: number; change: SettingsChange }
  /** Quantization error of every quantized weight and activation, and the activations' histograms, at an evaluation. */
  | { type: 'quant-error'; step: number; report: QuantReport }
  | { type: 'test-predictions'; predictions: TestPredictions }
  | { type: 'error'; kind: RunErrorKind; message: string }
  /** Where the run is, to continue from: every so often between steps, and when it pauses or ends (buffers transferred). */
  | { type: 'checkpoint'; checkpoint: SessionCheckpoint };

/**
 * An event as the Worker posts it: stamped with the generation it belongs to, the `gen` of the last configure or
 * reset the Worker had received when it posted it. Messages cross in flight, so the page drops events stamped with
 * an older generation than the one it last sent: they are about a run it has already replaced.
 */
export type StampedEvent = WorkerEvent & { gen: number };
