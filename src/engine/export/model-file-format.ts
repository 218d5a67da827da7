/**
 * The model file's format without TF.js: its types, the parser and the base64 codec of its tensors. The page's main
 * thread imports this (it converts model files to ONNX in the browser) and must never load TF.js; model-file.ts
 * (serialize and restore, which need tensors) re-exports everything here.
 */
import type { ModelSpec } from '../models/types';
import { FULL_PRECISION_BITS } from '../vocabulary/bits';
import { MODEL_NAMES } from '../vocabulary/models';
import type { ParamKind } from '../nn/params';
import type { TrainConfig } from '../train/config';

export const MODEL_FILE_FORMAT = 'qat-playground-model';

export interface StoredTensor {
  name: string;
  /** 'buffer' for BatchNorm running statistics. */
  kind: ParamKind | 'buffer';
  shape: number[];
  quant?: { bits: number; signed: boolean };
  /** float32, little-endian, base64. */
  data: string;
}

/** Per-channel mean and standard deviation of the pixels (in [0, 1]) that the run normalised its inputs with. */
export interface StoredNormalization {
  mean: number[];
  std: number[];
}

/**
 * A trained model as one JSON file: its spec, the run's config, every parameter (latent weights and learned step
 * sizes) and BatchNorm statistics. The integer codes follow from round(clip(w/s, −qn, qp)).
 * `dataset` and `normalization` are optional (files written before they existed lack them): they say what the
 * inputs were and how they were normalised, which an exported inference graph has to repeat.
 */
export interface ModelFile {
  format: typeof MODEL_FILE_FORMAT;
  version: 1;
  spec: ModelSpec;
  config: TrainConfig;
  steps: number;
  dataset?: string;
  normalization?: StoredNormalization;
  tensors: StoredTensor[];
}

export function toBase64(v: Float32Array): string {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  let s = '';
  // Chunks keep String.fromCharCode under the argument limit.
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(text: string, name: string): Float32Array {
  let s: string;
  try {
    s = atob(text);
  } catch {
    throw new Error(`"${name}" is damaged: its data is not base64`);
  }
  if (s.length % 4 !== 0) throw new Error(`"${name}" is damaged: ${s.length} bytes is not a whole number of float32 values`);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/** Reads a model file; a file of another kind or a damaged one fails with a message that says which. */
export function parseModelFile(text: string): ModelFile {
  let file: ModelFile;
  try {
    file = JSON.parse(text) as ModelFile;
  } catch {
    throw new Error('not a model file: it is not JSON');
  }
  if (file?.format !== MODEL_FILE_FORMAT || file.version !== 1 || !Array.isArray(file.tensors)) throw new Error(`not a ${MODEL_FILE_FORMAT} file (version 1)`);
  checkModelSpec(file);
  file.tensors.forEach(checkStoredTensor);
  return file;
}

const isPositiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const isBits = (v: unknown) => Number.isInteger(v) && (((v as number) >= 2 && (v as number) <= 8) || v === FULL_PRECISION_BITS);
/** Larger than any image or label set the project reads (labels are bytes), small enough to build a model from. */
const MAX_SIDE = 1024;
const MAX_CLASSES = 256;

/** The spec a model is built from, checked before anything is built or allocated from it. */
export function checkModelSpec(file: ModelFile): ModelSpec {
  const spec = file.spec as ModelSpec | undefined;
  if (!spec || typeof spec !== 'object') throw new Error('the model file is damaged: it has no spec');
  if (!(MODEL_NAMES as readonly string[]).includes(spec.name)) {
    throw new Error(`unknown model "${String(spec.name)}": this project knows ${MODEL_NAMES.join(', ')}`);
  }
  const shape = spec.inputShape;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => isPositiveInt(d) && d <= MAX_SIDE) || !isPositiveInt(spec.numClasses) || spec.numClasses > MAX_CLASSES) {
    throw new Error('the model file is damaged: its spec has no valid input shape or class count');
  }
  const q = spec.quant;
  if (!q || typeof q !== 'object' || !isBits(q.wbits) || !isBits(q.abits) || !isBits(q.firstLastBits) || typeof q.perChannel !== 'boolean') {
    throw new Error('the model file is damaged: its spec has no valid bit widths (2–8 or 32)');
  }
  if (!Number.isInteger(spec.seed)) throw new Error('the model file is damaged: its spec has no seed');
  return spec;
}

function checkStoredTensor(t: unknown, i: number): void {
  const x = t as Partial<StoredTensor> | null;
  const ok = x !== null && typeof x === 'object' && typeof x.name === 'string' && typeof x.data === 'string' && Array.isArray(x.shape) && x.shape.every((d) => Number.isInteger(d) && d >= 0);
  if (!ok) throw new Error(`the model file is damaged: tensor ${i} has no name, shape or data`);
}
