import * as tf from '@tensorflow/tfjs';
import type { Normalization } from '../data/batches';
import type { Model } from '../models/types';
import type { TrainConfig } from '../train/config';
import { fromBase64, MODEL_FILE_FORMAT, toBase64, type ModelFile, type StoredTensor } from './model-file-format';

// The format itself (types, parser, tensor codec) lives in a module without TF.js, for the page's main thread.
export * from './model-file-format';

/** What a file may say about the run's data besides the model: the dataset and its input normalisation. */
export interface ModelFileMeta {
  dataset?: string;
  normalization?: Normalization;
}

export async function serializeModel(model: Model, config: TrainConfig, steps: number, meta: ModelFileMeta = {}): Promise<string> {
  const tensors: StoredTensor[] = [];
  for (const p of model.params) {
    const t: StoredTensor = { name: p.name, kind: p.kind, shape: p.variable.shape, data: toBase64((await p.variable.data()) as Float32Array) };
    if (p.quant) t.quant = p.quant;
    tensors.push(t);
  }
  for (const b of model.buffers) tensors.push({ name: b.name, kind: 'buffer', shape: b.variable.shape, data: toBase64((await b.variable.data()) as Float32Array) });
  const file: ModelFile = { format: MODEL_FILE_FORMAT, version: 1, spec: model.spec, config, steps, tensors };
  if (meta.dataset !== undefined) file.dataset = meta.dataset;
  if (meta.normalization) file.normalization = { mean: Array.from(meta.normalization.mean), std: Array.from(meta.normalization.std) };
  return JSON.stringify(file);
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
