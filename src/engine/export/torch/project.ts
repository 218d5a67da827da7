/**
 * The exported PyTorch project of one run, as a list of files: the Python sources (static, ./python), the run's
 * TrainConfig (config.json), where its data and weights are (export.json), a README with the commands, and
 * optionally the engine's initial or trained weights (safetensors). No TF.js and no DOM: the CLI writes these files
 * to a folder, the page can zip the same list.
 */
import type { TrainConfig } from '../../vocabulary/train-config';
import { MODEL_NAMES } from '../../vocabulary/models';
import { PYTHON_FILES, type PythonSources } from './python-sources';
import { projectReadme, runName } from './readme';
import { encodeSafetensors, type NamedTensor } from './safetensors';

export const TORCH_EXPORT_FORMAT = 'qat-playground-torch-export';

/** The methods train.py reproduces; lsq+kd would need its trained full-precision teacher as well. */
export const TORCH_METHODS = ['fp32', 'lsq', 'lsq+cr'] as const;

export type TorchDatasetKind = 'idx' | 'cifar10' | 'cifar100';

export interface TorchDataset {
  kind: TorchDatasetKind;
  /** The engine's dataset name ('fashion-mnist', or what the experiment's --dataset named): 'auto' flips depend on it. */
  name: string;
  /** Where the files were at export: train.py's default --data. */
  dir: string;
  /** Known class count (Fashion-MNIST, CIFAR); absent: IDX files give 0 … the largest training label. */
  numClasses?: number;
  /** [height, width, channels], for the README. */
  inputShape: [number, number, number];
}

export interface TorchWeights {
  /** init: the engine's initial weights (before LSQ calibration, which train.py does); trained: a model file's. */
  kind: 'init' | 'trained';
  tensors: NamedTensor[];
  /** Steps the weights were trained for (trained only). */
  steps?: number;
}

export interface TorchProjectInput {
  config: TrainConfig;
  dataset: TorchDataset;
  sources: PythonSources;
  weights?: TorchWeights | null;
  /** How the run was named, one line: the command or results file it came from. */
  origin: string;
}

export interface ProjectFile {
  path: string;
  data: string | Uint8Array;
}

export { runName };

/** Why a run cannot be exported, or null. */
export function torchExportProblem(c: TrainConfig): string | null {
  if (!(MODEL_NAMES as readonly string[]).includes(c.model)) return `unknown model "${c.model}"; the export knows ${MODEL_NAMES.join(', ')}`;
  if (!(TORCH_METHODS as readonly string[]).includes(c.method)) {
    return `method ${c.method} is not exported (it distils from a separately trained fp32 teacher); export ${TORCH_METHODS.join(', ')}`;
  }
  return null;
}

export function torchProject(input: TorchProjectInput): ProjectFile[] {
  const { config, dataset, sources, weights } = input;
  const problem = torchExportProblem(config);
  if (problem) throw new RangeError(problem);
  for (const f of PYTHON_FILES) if (typeof sources[f] !== 'string' || sources[f].length === 0) throw new Error(`the Python source ${f} is missing`);
  const weightsFile = weights ? `${weights.kind}.safetensors` : null;
  const exported = {
    format: TORCH_EXPORT_FORMAT,
    version: 1,
    run: runName(config),
    origin: input.origin,
    dataset: { kind: dataset.kind, name: dataset.name, dir: dataset.dir, ...(dataset.numClasses ? { numClasses: dataset.numClasses } : {}), inputShape: dataset.inputShape },
    weights: weights ? { file: weightsFile, kind: weights.kind, ...(weights.steps !== undefined ? { steps: weights.steps } : {}) } : null,
  };
  const files: ProjectFile[] = PYTHON_FILES.map((f) => ({ path: f, data: sources[f] }));
  files.push({ path: 'config.json', data: `${JSON.stringify(config, null, 2)}\n` });
  files.push({ path: 'export.json', data: `${JSON.stringify(exported, null, 2)}\n` });
  files.push({ path: 'README.md', data: projectReadme({ config, dataset, weights: weights ?? null, weightsFile, origin: input.origin }) });
  if (weights && weightsFile) {
    const metadata: Record<string, string> = { format: 'qat-playground-weights', kind: weights.kind, calibrated: String(weights.kind === 'trained'), run: runName(config) };
    if (weights.steps !== undefined) metadata.steps = String(weights.steps);
    files.push({ path: weightsFile, data: encodeSafetensors(weights.tensors, metadata) });
  }
  return files;
}
