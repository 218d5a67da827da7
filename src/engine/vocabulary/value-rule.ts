/**
 * What values a setting takes. One checker reads these rules for the engine, the CLI and the page, so a range is
 * written once and refused in the same words everywhere.
 */

export interface NumericRule {
  kind: 'int' | 'number';
  /** Bounds; ±Infinity where there is none. */
  min: number;
  max: number;
  /** The bound itself is not allowed (momentum < 1, learning rate > 0). */
  minOpen?: boolean;
  maxOpen?: boolean;
}

export interface ChoiceRule {
  kind: 'choice';
  /** The names offered, as links, flags and menus write them. */
  options: readonly (string | number)[];
}

export interface BoolRule {
  kind: 'bool';
}

export type ValueRule = NumericRule | ChoiceRule | BoolRule;

/** "between 1 and 1024", "in [0, 1)", "> 0", "≥ 0". */
export function rangeText(r: NumericRule): string {
  const lo = Number.isFinite(r.min);
  const hi = Number.isFinite(r.max);
  if (lo && hi) {
    if (!r.minOpen && !r.maxOpen) return `between ${r.min} and ${r.max}`;
    return `in ${r.minOpen ? '(' : '['}${r.min}, ${r.max}${r.maxOpen ? ')' : ']'}`;
  }
  if (lo) return `${r.minOpen ? '>' : '≥'} ${r.min}`;
  if (hi) return `${r.maxOpen ? '<' : '≤'} ${r.max}`;
  return 'finite';
}

function inRange(r: NumericRule, v: number): boolean {
  const aboveMin = r.minOpen ? v > r.min : v >= r.min;
  const belowMax = r.maxOpen ? v < r.max : v <= r.max;
  return aboveMin && belowMax;
}

/** Why a value breaks the rule ("must be …"), or null when it fits. */
export function checkValue(rule: ValueRule, value: unknown): string | null {
  switch (rule.kind) {
    case 'bool':
      return typeof value === 'boolean' ? null : 'must be on or off';
    case 'choice':
      return rule.options.includes(value as string | number) ? null : `must be one of ${rule.options.join(', ')}`;
    case 'int':
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (rule.kind === 'int' && !Number.isInteger(value)) return 'must be a whole number';
      return inRange(rule, value) ? null : `must be ${rangeText(rule)}`;
  }
}

/** What a value of this rule looks like, for "expected …" messages: "a whole number between 1 and 1024". */
export function expectation(rule: ValueRule): string {
  switch (rule.kind) {
    case 'bool':
      return 'on or off';
    case 'choice':
      return `one of ${rule.options.join(', ')}`;
    case 'int':
    case 'number':
      return `${rule.kind === 'int' ? 'a whole number' : 'a number'} ${rangeText(rule)}`;
  }
}
