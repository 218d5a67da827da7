import { checkSettingsChange, type SettingsChange, type SettingsChangeAt } from '../engine/vocabulary/settings-change';
import { parseDecimal } from './playground-config';

/** The link parameter that holds the settings changed mid-run. */
export const CHANGES_PARAM = 'changes';

const NAMES: Record<keyof SettingsChange, string> = { lambdaMax: 'lambda', lr: 'lr', emaDecay: 'ema' };

/** "120:lambda=2,lr=0.01;300:ema=0.99": each change with the step it applies from. */
export function encodeChanges(list: readonly SettingsChangeAt[]): string {
  return list
    .map(({ step, change }) => `${step}:${(Object.keys(NAMES) as (keyof SettingsChange)[]).flatMap((k) => (change[k] === undefined ? [] : [`${NAMES[k]}=${change[k]}`])).join(',')}`)
    .join(';');
}

/** The changes of a link, and a note for each part that could not be read (it is left out). */
export function decodeChanges(text: string): { changes: SettingsChangeAt[]; notes: string[] } {
  const changes: SettingsChangeAt[] = [];
  const notes: string[] = [];
  for (const part of text.split(';').filter((p) => p.length > 0)) {
    const [stepText, body = ''] = part.split(':');
    const step = Number(stepText);
    const change: SettingsChange = {};
    let ok = Number.isInteger(step) && step >= 1;
    for (const kv of body.split(',')) {
      const [name, value] = kv.split('=');
      const key = (Object.keys(NAMES) as (keyof SettingsChange)[]).find((k) => NAMES[k] === name);
      const v = value === undefined ? NaN : parseDecimal(value);
      if (!key || !Number.isFinite(v)) ok = false;
      else change[key] = v;
    }
    const why = ok ? checkSettingsChange(change) : 'not of the form step:name=value,…';
    if (why) notes.push(`${CHANGES_PARAM}: "${part}" ${why}; left out.`);
    else changes.push({ step, change });
  }
  return { changes, notes };
}
