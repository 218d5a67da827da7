/**
 * Names of the fused parameter-update kernels (names and attributes only, no backend code). The webgpu kernel
 * set registers them; the optimizer and the EMA teacher use them when the active backend has them and plain
 * TF.js ops otherwise. Each computes, elementwise over tensors of one shape, what the op version computes:
 *
 * QatSgdVelocity  inputs { v, g, w }, attrs { momentum, weightDecay }  →  v·μ + (g + w·wd)
 * QatSgdStep      inputs { w, u },    attrs { lr, floor, hasFloor }    →  w − u·lr, then max(·, floor) if hasFloor
 * QatEmaUpdate    inputs { teacher, student }, attrs { decay }         →  teacher·a + student·(1 − a)
 */
import * as tf from '@tensorflow/tfjs';

export const SGD_VELOCITY = 'QatSgdVelocity';
export const SGD_STEP = 'QatSgdStep';
export const EMA_UPDATE = 'QatEmaUpdate';

export function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}
