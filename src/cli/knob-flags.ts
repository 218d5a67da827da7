import { checkValue, expectation, type Knob, knobName, knobValue, parseDecimal, setAt, TRAIN_KNOBS, type TrainConfigInput } from '../engine';
import { UsageError } from './usage-error';

/**
 * The command-line flags that set one training knob each, read from the engine's schema: its flag name, its doc as
 * the help, its default, its range or options. A flag that is not given sets nothing: the preset's value, or else the
 * engine's default, stays.
 */
export type FlagGroup = 'training' | 'consistency' | 'augmentation';

export interface KnobFlag {
  name: string;
  knob: Knob;
  group: FlagGroup;
  /** What its value is, in `--help`; absent for a switch, which takes none and turns the knob on. */
  arg?: string;
}

/** `--help` lists a flag by the part of the config it sets. */
function groupOf(path: string): FlagGroup {
  if (path.startsWith('cr.')) return 'consistency';
  if (path.startsWith('augment.')) return 'augmentation';
  return 'training';
}

function argOf(k: Knob): string | undefined {
  switch (k.kind) {
    case 'bool':
      return undefined;
    case 'int':
      return 'N';
    case 'number':
      return 'X';
    case 'choice':
      return typeof k.options[0] === 'number' ? 'N' : 'NAME';
  }
}

/** Every knob that has a flag, in the schema's order. */
export function knobFlags(knobs: readonly Knob[] = TRAIN_KNOBS): KnobFlag[] {
  return knobs.flatMap((knob) => (knob.flag === undefined ? [] : [{ name: knob.flag, knob, group: groupOf(knob.path), arg: argOf(knob) }]));
}

export const KNOB_FLAGS: readonly KnobFlag[] = knobFlags();

/** A knob's engine value from the text of a flag; a text that does not fit is a UsageError naming the flag. */
export function readKnobText(knob: Knob, text: string, flag: string): unknown {
  if (knob.kind === 'choice') {
    const name = knob.options.find((o) => String(o) === text.trim());
    if (name === undefined) throw new UsageError(`${flag}: "${text}" is not one of ${knob.options.join(', ')}`);
    return knobValue(knob, name);
  }
  if (knob.kind === 'bool') {
    if (text === 'true' || text === 'false') return text === 'true';
    throw new UsageError(`${flag}: expected on or off, got "${text}"`);
  }
  const n = parseDecimal(text);
  if (checkValue(knob, n) !== null) throw new UsageError(`${flag}: expected ${expectation(knob)}, got "${text}"`);
  return n;
}

/** The settings one given flag stands for (parseArgs hands a switch over as `true`). */
export function flagInput(flag: KnobFlag, given: string | boolean): TrainConfigInput {
  const input: Record<string, unknown> = {};
  setAt(input, flag.knob.path, readKnobText(flag.knob, String(given), `--${flag.name}`));
  return input as TrainConfigInput;
}

/** Options as help lists them: runs of whole numbers collapse (2–8, 32). */
export function optionsText(options: readonly (string | number)[]): string {
  const parts: string[] = [];
  for (let i = 0; i < options.length; i++) {
    const start = options[i];
    let j = i;
    while (typeof start === 'number' && options[j + 1] === (options[j] as number) + 1) j++;
    parts.push(j - i >= 2 ? `${start}–${options[j]}` : String(start));
    if (j - i === 1) parts.push(String(options[j]));
    i = j;
  }
  return parts.join(', ');
}

/** The help of a knob's flag: its doc, and for a choice the names it takes. */
export function helpOf(knob: Knob): string {
  return knob.kind === 'choice' ? `${knob.doc}: ${optionsText(knob.options)}` : knob.doc;
}

/** A knob's default as a flag would write it. */
export function shownDefault(knob: Knob): string {
  if (knob.kind === 'bool') return knob.default ? 'on' : 'off';
  return String(knobName(knob, knob.default));
}
