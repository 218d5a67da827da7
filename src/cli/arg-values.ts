import { UsageError } from './usage-error';

/** Parsers of one plan flag's text: each names the flag and what it expected when the text does not fit. */

export function list(v: string, what: string): string[] {
  const items = v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw new UsageError(`${what}: empty list`);
  return items;
}

export function int(v: string, what: string, min: number): number {
  const n = Number(v);
  if (!/^-?\d+$/.test(v.trim()) || n < min) throw new UsageError(`${what}: expected an integer ≥ ${min}, got "${v}"`);
  return n;
}

export function oneOf<T extends string>(v: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${what}: "${v}" is not one of ${allowed.join(', ')}`);
  return v as T;
}
