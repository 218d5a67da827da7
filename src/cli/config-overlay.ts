import type { TrainConfigInput } from '../engine/train/config';

/**
 * `b` on top of `a`, nested groups merged key by key: a flag that sets λ_max keeps the preset's ramp. The engine's
 * `resolveConfig` fills whatever neither sets.
 */
export function overlay(a: TrainConfigInput, b: TrainConfigInput): TrainConfigInput {
  const out: TrainConfigInput = { ...a, ...b };
  if (a.quant || b.quant) out.quant = { ...a.quant, ...b.quant };
  if (a.optimizer || b.optimizer) out.optimizer = { ...a.optimizer, ...b.optimizer };
  if (a.augment || b.augment) out.augment = { ...a.augment, ...b.augment };
  if (a.cr || b.cr) {
    const cr: NonNullable<TrainConfigInput['cr']> = { ...a.cr, ...b.cr };
    if (a.cr?.lambda || b.cr?.lambda) cr.lambda = { ...a.cr?.lambda, ...b.cr?.lambda };
    if (a.cr?.teacher || b.cr?.teacher) cr.teacher = { ...a.cr?.teacher, ...b.cr?.teacher };
    out.cr = cr;
  }
  return out;
}
