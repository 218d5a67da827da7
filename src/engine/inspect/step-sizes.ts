import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/types';

/** Every learned step size of a model, one number each (the mean over channels when per-channel). */
export async function stepSizes(model: Model): Promise<{ names: string[]; values: Float32Array }> {
  const params = model.params.filter((p) => p.kind === 'step');
  if (params.length === 0) return { names: [], values: new Float32Array(0) };
  // One read for all of them: on WebGPU each read is a round trip.
  const stacked = tf.tidy(() => tf.stack(params.map((p) => tf.mean(p.variable))));
  const values = Float32Array.from(await stacked.data());
  stacked.dispose();
  return { names: params.map((p) => p.name), values };
}
