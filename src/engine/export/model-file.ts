import * as tf from '@tensorflow/tfjs';
import type { Model, ModelSpec } from '../models/types';
import type { ParamKind } from '../nn/params';
import type { TrainConfig } from '../train/config';

export const MODEL_FILE_FORMAT = 'qat-playground-model';

interface StoredTensor {
  name: string;
  /** 'buffer' for BatchNorm running statistics. */
  kind: ParamKind | 'buffer';
  shape: number[];
  quant?: { bits: number; signed: boolean };
  /** float32, little-endian, base64. */
  data: string;
}

/**
 * A trained model as one JSON file: its spec, the run's config, every parameter (latent weights and learned step
 * sizes) and BatchNorm statistics. The integer codes follow from round(clip(w/s, −qn, qp)).
 */
export interface ModelFile {
  format: typeof MODEL_FILE_FORMAT;
  version: 1;
  spec: ModelSpec;
  config: TrainConfig;
  steps: number;
  tensors: StoredTensor[];
}

function toBase64(v: Float32Array): string {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  let s = '';
  // Chunks keep String.fromCharCode under the argument limit.
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string, name: string): Float32Array {
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

export async function serializeModel(model: Model, config: TrainConfig, steps: number): Promise<string> {
  const tensors: StoredTensor[] = [];
  for (const p of model.params) {
    const t: StoredTensor = { name: p.name, kind: p.kind, shape: p.variable.shape, data: toBase64((await p.variable.data()) as Float32Array) };
    if (p.quant) t.quant = p.quant;
    tensors.push(t);
  }
  for (const b of model.buffers) tensors.push({ name: b.name, kind: 'buffer', shape: b.variable.shape, data: toBase64((await b.variable.data()) as Float32Array) });
  const file: ModelFile = { format: MODEL_FILE_FORMAT, version: 1, spec: model.spec, config, steps, tensors };
  return JSON.stringify(file);
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
  return file;
}

/** Copies a file's tensors into a model built from the same spec; names and shapes must all match. */
export function restoreModel(model: Model, file: ModelFile): void {
  const stored = new Map(file.tensors.map((t) => [t.name, t]));
  const targets = [...model.params.map((p) => ({ name: p.name, variable: p.variable })), ...model.buffers];
  for (const { name, variable } of targets) {
    const t = stored.get(name);
    if (!t) throw new Error(`the model file has no tensor "${name}"`);
    if (!Array.isArray(t.shape) || t.shape.join(',') !== variable.shape.join(',')) {
      throw new Error(`"${name}" has shape [${String(t.shape)}], the model needs [${variable.shape.join(',')}]`);
    }
    const values = fromBase64(String(t.data), name);
    const size = variable.shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new Error(`"${name}" holds ${values.length} values, the model needs ${size}`);
    const value = tf.tensor(values, variable.shape);
    variable.assign(value);
    value.dispose();
  }
  model.markCalibrated();
}
