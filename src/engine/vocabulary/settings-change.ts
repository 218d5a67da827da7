/**
 * Settings a person may change while runs train, and the record of one change. Plain data, no TF.js: the page, the
 * Worker and the engine share it.
 */
export interface SettingsChange {
  /** λ_max of the consistency schedule. */
  lambdaMax?: number;
  /** The base learning rate the schedule scales. */
  lr?: number;
  /** The EMA teacher's target decay. */
  emaDecay?: number;
}

/** A change and the step it applies from (1-based, like StepMetrics.step: that step already uses it). */
export interface SettingsChangeAt {
  step: number;
  change: SettingsChange;
}

/** Why a change cannot be applied, or null when it can. */
export function checkSettingsChange(c: SettingsChange): string | null {
  if (c.lambdaMax !== undefined && !(Number.isFinite(c.lambdaMax) && c.lambdaMax >= 0 && c.lambdaMax <= 100)) return 'λ_max must be a number from 0 to 100';
  if (c.lr !== undefined && !(Number.isFinite(c.lr) && c.lr > 0)) return 'the learning rate must be a number > 0';
  if (c.emaDecay !== undefined && !(Number.isFinite(c.emaDecay) && c.emaDecay >= 0 && c.emaDecay <= 0.99999)) return 'the EMA decay must be from 0 to 0.99999';
  if (c.lambdaMax === undefined && c.lr === undefined && c.emaDecay === undefined) return 'nothing to change';
  return null;
}

/** "λ_max 2, lr 0.05": for chart markers and captions. */
export function describeSettingsChange(c: SettingsChange): string {
  const parts: string[] = [];
  if (c.lambdaMax !== undefined) parts.push(`λ_max ${c.lambdaMax}`);
  if (c.lr !== undefined) parts.push(`lr ${c.lr}`);
  if (c.emaDecay !== undefined) parts.push(`EMA ${c.emaDecay}`);
  return parts.join(', ');
}
