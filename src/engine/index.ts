/**
 * The engine's front door for its hosts: the training Worker (src/worker), the CLI (src/cli) and the Node adapters
 * (src/node) import the engine from here, or its TF.js-free vocabulary (src/engine/vocabulary/), and nothing deeper.
 * The page's main thread never imports it: it reaches TF.js.
 */
export { describeBackend, initBackend } from './backend/select';
export { chooseByTiming, describeTimings } from './backend/timed-choice';
export { BACKEND_NAMES, type BackendChoice, type BackendReport } from './backend/types';
export { channelStats, makeBatch } from './data/batches';
export { loadCifarDataset } from './data/cifar-dataset';
export { FASHION_MNIST_CLASSES, FASHION_MNIST_FILES, loadIdxDataset } from './data/fashion-mnist';
export { type Dataset } from './data/types';
export { type ModelFile, parseModelFile } from './export/model-file-format';
export { restoreModel, serializeModel } from './export/model-file';
export { modelFileToOnnx, ONNX_INPUT, ONNX_OUTPUT, type PixelNormalization } from './export/onnx';
export { runName, type TorchDataset, type TorchDatasetKind, torchExportProblem, torchProject, type TorchWeights } from './export/torch/project';
export { PYTHON_FILES, type PythonSources } from './export/torch/python-sources';
export { type NamedTensor } from './export/torch/safetensors';
export { HessianAbortedError, type Operator } from './hessian/lanczos';
export { type LayerEigenvalue, layerEigenvalues, type LayerSpectrum, measureLayerEigenvalues } from './hessian/layer-eigen';
export { type SharpnessEstimate, type SharpnessMode, SharpnessTracker } from './hessian/live-sharpness';
export { type HessianSummary, measureHessian } from './hessian/measure';
export { predictImages } from './inspect/predictions';
export { FlipTracker, quantReport, type QuantReport } from './inspect/quant-error';
export { stepSizes } from './inspect/step-sizes';
export { type WeightHistogram, weightHistograms } from './inspect/weight-histogram';
export { KERNEL_SETS, type KernelSet } from './kernels/kernel-sets';
export { type KernelProfile, profileKernels } from './kernels/webgpu/kernel-profile';
export { countLaunches } from './kernels/webgpu/launch-counter';
export { buildModel, EVAL_CTX, type Model, MODEL_NAMES, type ModelName } from './models';
export { checkpointBuffers, type SessionCheckpoint } from './train/checkpoint';
export { DEFAULT_TRAIN_CONFIG, type Method, resolveConfig, type TrainConfig, type TrainConfigInput } from './train/config';
export { type EvalPredictions } from './train/evaluate';
export { type EvalMetrics, type SessionListener, type StepMetrics, TrainingDivergedError } from './train/metrics';
export { type SessionState, TrainingSession } from './train/session';
export { timeTrainingSteps } from './train/time-steps';
export { pairedGain, type PairedGain } from './util/paired';
export { meanStd } from './util/stats';
export { BACKEND_CHOICES } from './vocabulary/backends';
export { parseDecimal } from './vocabulary/decimal';
export { mergeTree, setAt } from './vocabulary/knob-tree';
export { type Knob, knobName, knobValue } from './vocabulary/knob';
export { knobAt, type KnobPath, TRAIN_KNOBS } from './vocabulary/knobs';
export { type SettingsChange } from './vocabulary/settings-change';
export { checkValue, expectation, type NumericRule } from './vocabulary/value-rule';
