import { knobName } from '../engine/vocabulary/knob';
import { knobAt } from '../engine/vocabulary/knobs';
import type { PlaygroundConfig, PropertySpec } from './playground-config';
import type { PropertyRow } from './property-rows';

/** A row as the page checks and writes it: a training knob's range or options come from the engine's schema. */
export function resolveRow(row: PropertyRow): PropertySpec {
  if (!('path' in row)) return { key: row.key, hash: row.hash, ...row.rule };
  const base = { key: row.key, hash: row.hash, path: row.path };
  const k = knobAt(row.path);
  switch (k.kind) {
    case 'choice':
      return { ...base, kind: 'choice', options: k.options };
    case 'bool':
      return { ...base, kind: 'bool' };
    case 'int':
    case 'number': {
      if (row.offer) return { ...base, kind: k.kind, ...row.offer };
      const { min, max, minOpen, maxOpen } = k;
      return { ...base, kind: k.kind, min, max, ...(minOpen ? { minOpen } : {}), ...(maxOpen ? { maxOpen } : {}) };
    }
  }
}

/** The page's default of a row: its own, or the engine's default written as the page writes it. */
export function rowDefault(row: PropertyRow): PlaygroundConfig[keyof PlaygroundConfig] {
  if (row.default !== undefined || !('path' in row)) return row.default!;
  const k = knobAt(row.path);
  return knobName(k, k.default) as PlaygroundConfig[keyof PlaygroundConfig];
}
