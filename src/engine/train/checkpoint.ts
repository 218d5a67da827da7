import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models';
import type { RngState } from '../util/rng';
import type { TrainConfig } from './config';
import type { OptimizerState } from './optimizers';
import type { SettingsChangeAt } from '../vocabulary/settings-change';

export const CHECKPOINT_FORMAT = 'qat-playground-checkpoint';

/**
 * Everything a run needs to continue exactly where it was: the student's and the teacher's variables (parameters
 * and BatchNorm statistics), the optimizer's buffers, every random generator's state and the step. Plain data and
 * typed arrays, so it can be posted between threads (transferred) and stored in IndexedDB as it is.
 */
export interface SessionCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: 1;
  /** The run's config as it started; changes made mid-run are in settingsChanges. */
  config: TrainConfig;
  step: number;
  /** Settings changed mid-run: those applied so far (each from its step) and those still to come. */
  settingsChanges?: { applied: SettingsChangeAt[]; pending: SettingsChangeAt[] };
  calibrated: boolean;
  student: Record<string, Float32Array>;
  teacher: { tensors: Record<string, Float32Array>; updates: number } | null;
  optimizer: OptimizerState;
  sampler: { order: Int32Array; pos: number; rng: RngState };
  rng: Record<string, RngState>;
}

/** Every variable of a model (parameters and buffers) by its name in the model. */
export async function readVariables(model: Model): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const { name, variable } of [...model.params, ...model.buffers]) out[name] = (await variable.data()) as Float32Array;
  return out;
}

/** Writes saved values into a model of the same architecture; a missing or misshapen tensor is refused by name. */
export function writeVariables(model: Model, saved: Record<string, Float32Array>, whose: string): void {
  for (const { name, variable } of [...model.params, ...model.buffers]) {
    const data = saved[name];
    if (!data) throw new RangeError(`the checkpoint has no ${whose} tensor "${name}"`);
    if (data.length !== variable.size) throw new RangeError(`the checkpoint's ${whose} "${name}" holds ${data.length} values, the model needs ${variable.size}`);
    tf.tidy(() => variable.assign(tf.tensor(data, variable.shape)));
  }
}

/** The typed arrays of a checkpoint, to transfer it to another thread without copying. */
export function checkpointBuffers(c: SessionCheckpoint): ArrayBuffer[] {
  const arrays = [...Object.values(c.student), ...Object.values(c.teacher?.tensors ?? {}), ...Object.values(c.optimizer.slots), c.sampler.order];
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}
