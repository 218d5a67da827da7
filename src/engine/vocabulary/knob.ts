import { checkValue, type BoolRule, type NumericRule } from './value-rule';

/**
 * One training knob of the engine: where it sits in TrainConfig, what it takes, its default, one line on what it
 * does, and its CLI flag. The engine validates from it, the CLI builds its flags and help from it, and the page takes
 * its ranges and options from it.
 */
interface KnobInfo<P extends string, V> {
  /** Dot-separated path in TrainConfig, e.g. `cr.lambda.max`. */
  readonly path: P;
  /** The engine's default (an engine value, not an option name). */
  readonly default: V;
  /** One line on what it does; the CLI's help text. */
  readonly doc: string;
  /** Its CLI flag without the dashes; absent: no flag of its own. */
  readonly flag?: string;
}

export type NumericKnob<P extends string = string> = KnobInfo<P, number> & Readonly<NumericRule>;
export type BoolKnob<P extends string = string> = KnobInfo<P, boolean> & Readonly<BoolRule>;
export type ChoiceKnob<P extends string = string, N extends string | number = string | number, V = unknown> = KnobInfo<P, V> & {
  readonly kind: 'choice';
  /** The names offered, as links, flags and menus write them. */
  readonly options: readonly N[];
  /** The engine value of each option, in the same order; absent: the option is the value. */
  readonly values?: readonly V[];
};
export type Knob = NumericKnob | BoolKnob | ChoiceKnob;

type NumericSpec = Omit<NumericKnob, 'path' | 'kind'>;
type InfoSpec<V> = Omit<KnobInfo<string, V>, 'path'>;

export function intKnob<const P extends string>(path: P, spec: NumericSpec): NumericKnob<P> {
  return { path, kind: 'int', ...spec };
}

export function numberKnob<const P extends string>(path: P, spec: NumericSpec): NumericKnob<P> {
  return { path, kind: 'number', ...spec };
}

export function boolKnob<const P extends string>(path: P, spec: InfoSpec<boolean>): BoolKnob<P> {
  return { path, kind: 'bool', ...spec };
}

/** A choice whose option names are the engine's values. */
export function choiceKnob<const P extends string, const N extends string | number>(
  path: P,
  spec: InfoSpec<N> & { options: readonly N[] },
): ChoiceKnob<P, N, N> {
  return { path, kind: 'choice', ...spec };
}

/** A choice whose names stand for other engine values (flip `on` is `true`). */
export function mappedKnob<const P extends string, const N extends string, const V>(
  path: P,
  spec: InfoSpec<V> & { options: readonly N[]; values: readonly V[] },
): ChoiceKnob<P, N, V> {
  return { path, kind: 'choice', ...spec };
}

/** The engine value an option name stands for; undefined when it names none. */
export function knobValue(knob: Knob, name: unknown): unknown {
  if (knob.kind !== 'choice') return name;
  const i = knob.options.indexOf(name as string | number);
  if (i < 0) return undefined;
  return knob.values ? knob.values[i] : knob.options[i];
}

/** The option name of an engine value (the value itself for anything but a mapped choice); undefined when none. */
export function knobName(knob: Knob, value: unknown): unknown {
  if (knob.kind !== 'choice' || !knob.values) return value;
  const i = knob.values.indexOf(value);
  return i < 0 ? undefined : knob.options[i];
}

/** Why an engine value is not allowed for this knob ("must be …"), or null. */
export function checkKnob(knob: Knob, value: unknown): string | null {
  if (knob.kind === 'choice' && knob.values && !knob.values.includes(value)) return `must be one of ${knob.options.join(', ')}`;
  return checkValue(knob, knobName(knob, value));
}
