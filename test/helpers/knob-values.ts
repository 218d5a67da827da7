import type { Knob } from '../../src/engine/vocabulary/knob';

/** Engine values a knob must refuse: past each finite bound, fractions for whole numbers, wrong kinds, unknown names. */
export function badValues(k: Knob): unknown[] {
  switch (k.kind) {
    case 'bool':
      return ['yes', 1];
    case 'choice': {
      if (typeof k.options[0] !== 'number') return ['nope', 3];
      const nums = k.options as readonly number[];
      return [Math.min(...nums) - 1, Math.max(...nums) + 1, 'four'];
    }
    case 'int':
    case 'number': {
      const out: unknown[] = [NaN, '1'];
      if (Number.isFinite(k.min)) out.push(k.minOpen ? k.min : k.min - 1);
      if (Number.isFinite(k.max)) out.push(k.maxOpen ? k.max : k.max + 1);
      if (k.kind === 'int') out.push((Number.isFinite(k.min) ? k.min : 0) + 0.5);
      return out;
    }
  }
}

/** The same as texts a person types (flags, links): each refused. */
export function badTexts(k: Knob): string[] {
  switch (k.kind) {
    case 'bool':
      return ['maybe'];
    case 'choice':
      return badValues(k).map(String);
    case 'int':
    case 'number':
      return ['abc', ...badValues(k).filter((v): v is number => typeof v === 'number' && !Number.isNaN(v)).map(String)];
  }
}

/** Allowed values at the edges of a knob's range, or every option. */
export function edgeValues(k: Knob): unknown[] {
  switch (k.kind) {
    case 'bool':
      return [true, false];
    case 'choice':
      return k.values ? [...k.values] : [...k.options];
    case 'int':
    case 'number': {
      const out: number[] = [k.default];
      if (Number.isFinite(k.min) && !k.minOpen) out.push(k.min);
      if (Number.isFinite(k.max) && !k.maxOpen) out.push(k.max);
      return out;
    }
  }
}
