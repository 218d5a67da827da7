/**
 * TrainConfig is the tree the knob paths spell: `quant.wbits` is `{ quant: { wbits } }`. The types build that tree
 * from the schema, so a knob is declared once; the functions read and write a value at a path.
 */

interface Entry {
  readonly path: string;
  readonly default: unknown;
}

type Head<P extends string> = P extends `${infer H}.${string}` ? H : P;
type Below<E, H extends string> = E extends { readonly path: `${H}.${infer T}`; readonly default: infer V } ? { path: T; default: V } : never;

/** The nested object whose leaves are the entries' paths, each holding its default's type. */
export type KnobTree<E extends Entry> = {
  [H in Head<E['path']>]: [Extract<E, { path: H }>] extends [never] ? KnobTree<Below<E, H>> : Extract<E, { path: H }>['default'];
};

/** Every field optional, nested groups too: what a caller may leave to the defaults. */
export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

function isGroup(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at a dot-separated path; undefined where any step is missing. */
export function getAt(obj: unknown, path: string): unknown {
  let node: unknown = obj;
  for (const part of path.split('.')) {
    if (!isGroup(node)) return undefined;
    node = node[part];
  }
  return node;
}

/** Writes a value at a dot-separated path, making the groups on the way. */
export function setAt(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = obj;
  for (const part of parts.slice(0, -1)) {
    if (!isGroup(node[part])) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

/** The dot-separated paths of every leaf of a nested object, in key order. */
export function leafPaths(obj: unknown, prefix = ''): string[] {
  if (!isGroup(obj)) return [prefix];
  return Object.entries(obj).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

/** `b` on top of `a`, groups merged key by key (setting λ_max keeps a given ramp); neither is changed. */
export function mergeTree<T>(a: T, b: T): T {
  if (!isGroup(a) || !isGroup(b)) return b === undefined ? a : b;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = mergeTree(out[k], v);
  return out as T;
}

/** The tree of the entries' defaults. */
export function treeOfDefaults<const E extends Entry>(entries: readonly E[]): KnobTree<E> {
  const out: Record<string, unknown> = {};
  for (const e of entries) setAt(out, e.path, e.default);
  return out as KnobTree<E>;
}
