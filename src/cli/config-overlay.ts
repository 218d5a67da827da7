import { mergeTree, type TrainConfigInput } from '../engine';

/**
 * `b` on top of `a`, nested groups merged key by key: a flag that sets λ_max keeps the preset's ramp. The engine's
 * `resolveConfig` fills whatever neither sets.
 */
export function overlay(a: TrainConfigInput, b: TrainConfigInput): TrainConfigInput {
  return mergeTree(a, b);
}
