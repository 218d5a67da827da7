import { describe, expect, it } from 'vitest';
import { checkProperty, DEFAULT_CONFIG, PROPERTIES, type PlaygroundConfig, type PropertySpec } from '../src/config/playground-config';
import { PROPERTY_ROWS } from '../src/config/property-rows';
import { RUN_IDS, trainConfigFor } from '../src/config/run-config';
import { decodeConfig, encodeConfig } from '../src/config/url-hash';
import { resolveConfig } from '../src/engine/train/config';
import { checkKnob, knobName, knobValue } from '../src/engine/vocabulary/knob';
import { getAt, setAt } from '../src/engine/vocabulary/knob-tree';
import { knobAt } from '../src/engine/vocabulary/knobs';
import { badTexts } from './helpers/knob-values';

/** The page's first state as it was written out by hand before its training knobs were read from the schema. */
const HAND_WRITTEN_DEFAULTS: PlaygroundConfig = {
  dataset: 'fashion-mnist',
  model: 'mlp-narrow',
  wbits: 2,
  abits: 2,
  firstLastBits: 2,
  perChannel: false,
  optimizer: 'sgd',
  lr: 0.05,
  batchSize: 64,
  steps: 1500,
  labeled: 1000,
  cr: true,
  lambdaSchedule: 'sigmoid',
  lambdaMax: 3,
  rampSteps: 300,
  emaDecay: 0.98,
  temperature: 1,
  unlabeledRatio: 1,
  translate: 0,
  flip: 'auto',
  noise: 0.2,
  cutout: 0,
  evalEvery: 100,
  fp32: false,
  sharpness: 'cheap',
  sharpnessEvery: 50,
  spectrumSamples: 512,
  backend: 'auto',
  seed: 0,
};

/** Links written before: the default setup and the "paper" preset, as encodeConfig wrote them. */
const OLD_DEFAULT_LINK =
  'data=fashion-mnist&model=mlp-narrow&w=2&a=2&fl=2&pc=0&opt=sgd&lr=0.05&bs=64&steps=1500&labeled=1000&cr=1&lsched=sigmoid&lmax=3&ramp=300&ema=0.98&tau=1&uratio=1&shift=0&flip=auto&noise=0.2&cutout=0&eval=100&fp32=0&hess=cheap&hevery=50&hsamples=512&backend=auto&seed=0';
const OLD_PAPER_LINK =
  'data=fashion-mnist&model=cnn-small&w=2&a=2&fl=8&pc=0&opt=sgd&lr=0.003&bs=64&steps=1000&labeled=1000&cr=1&lsched=sigmoid&lmax=1&ramp=300&ema=0.98&tau=1&uratio=1&shift=2&flip=auto&noise=0&cutout=0&eval=100&fp32=0&hess=cheap&hevery=50&hsamples=512&backend=auto&seed=0';

/** [page key, link name, engine path] of every training knob on the page. */
const KNOB_ROWS: [keyof PlaygroundConfig, string, string][] = [
  ['model', 'model', 'model'],
  ['wbits', 'w', 'quant.wbits'],
  ['abits', 'a', 'quant.abits'],
  ['firstLastBits', 'fl', 'quant.firstLastBits'],
  ['perChannel', 'pc', 'quant.perChannel'],
  ['optimizer', 'opt', 'optimizer.name'],
  ['lr', 'lr', 'lr'],
  ['batchSize', 'bs', 'batchSize'],
  ['steps', 'steps', 'steps'],
  ['labeled', 'labeled', 'labeled'],
  ['lambdaSchedule', 'lsched', 'cr.lambda.kind'],
  ['lambdaMax', 'lmax', 'cr.lambda.max'],
  ['rampSteps', 'ramp', 'cr.lambda.rampSteps'],
  ['emaDecay', 'ema', 'cr.teacher.decay'],
  ['temperature', 'tau', 'cr.temperature'],
  ['unlabeledRatio', 'uratio', 'cr.unlabeledRatio'],
  ['translate', 'shift', 'augment.translate'],
  ['flip', 'flip', 'augment.flip'],
  ['noise', 'noise', 'augment.noise'],
  ['cutout', 'cutout', 'augment.cutout'],
  ['evalEvery', 'eval', 'evalEvery'],
  ['seed', 'seed', 'seed'],
];

/** An allowed value of a property other than `current`. */
function otherValue(spec: PropertySpec, current: unknown): unknown {
  if (spec.kind === 'choice') return spec.options.find((o) => o !== current);
  if (spec.kind === 'bool') return !current;
  if (spec.kind === 'id') return 'other';
  const v = current as number;
  if (v + 1 <= spec.max) return v + 1;
  return (v + spec.min) / 2;
}

const knobSpecs = PROPERTIES.filter((p): p is PropertySpec & { path: NonNullable<PropertySpec['path']> } => p.path !== undefined);

describe('the page\'s property rows', () => {
  it('keep DEFAULT_CONFIG exactly as it was, and the order of links', () => {
    expect(DEFAULT_CONFIG).toEqual(HAND_WRITTEN_DEFAULTS);
    expect(Object.keys(DEFAULT_CONFIG)).toEqual(Object.keys(HAND_WRITTEN_DEFAULTS));
    expect(encodeConfig(DEFAULT_CONFIG)).toBe(OLD_DEFAULT_LINK);
  });

  it('old links decode to the same setup', () => {
    expect(decodeConfig(OLD_DEFAULT_LINK)).toEqual({ config: HAND_WRITTEN_DEFAULTS, notes: [] });
    const paper = decodeConfig(`#${OLD_PAPER_LINK}`);
    expect(paper.notes).toEqual([]);
    expect(paper.config).toEqual({ ...HAND_WRITTEN_DEFAULTS, model: 'cnn-small', firstLastBits: 8, lr: 0.003, steps: 1000, lambdaMax: 1, translate: 2, noise: 0 });
  });

  it('name the training knobs by page key, link name and engine path', () => {
    expect(knobSpecs.map((p) => [p.key, p.hash, p.path])).toEqual(KNOB_ROWS);
  });

  for (const spec of knobSpecs) {
    it(`${spec.key}: its range or options are the schema's`, () => {
      const k = knobAt(spec.path);
      const row = PROPERTY_ROWS.find((r) => r.key === spec.key)!;
      expect(spec.kind).toBe(k.kind);
      if (k.kind === 'choice' && spec.kind === 'choice') expect(spec.options).toEqual(k.options);
      if ((k.kind === 'int' || k.kind === 'number') && (spec.kind === 'int' || spec.kind === 'number')) {
        if ('offer' in row && row.offer) {
          // The page offers less than the engine takes: every value it offers, the engine takes.
          expect(checkKnob(k, spec.min)).toBeNull();
          expect(checkKnob(k, spec.max)).toBeNull();
        } else {
          expect([spec.min, spec.max, spec.minOpen, spec.maxOpen]).toEqual([k.min, k.max, k.minOpen, k.maxOpen]);
        }
      }
      // The page's default is its own where it says so, else the engine's written as the page writes it.
      const own = 'default' in row && row.default !== undefined;
      if (!own) expect(DEFAULT_CONFIG[spec.key]).toEqual(knobName(k, k.default));
      expect(checkProperty(spec, DEFAULT_CONFIG[spec.key])).toBeNull();
    });

    it(`${spec.hash}: a link with a value the schema refuses falls back with a note`, () => {
      for (const text of badTexts(knobAt(spec.path))) {
        const { config, notes } = decodeConfig(new URLSearchParams({ [spec.hash]: text }).toString());
        expect(config[spec.key], text).toEqual(DEFAULT_CONFIG[spec.key]);
        expect(notes, text).toHaveLength(1);
        expect(notes[0].startsWith(`${spec.hash}=${text}: must be `), notes[0]).toBe(true);
        expect(notes[0]).toMatch(/; using .+\.$/);
      }
    });

    it(`${spec.key}: trainConfigFor sets ${spec.path}, and nothing else moves`, () => {
      const k = knobAt(spec.path);
      const other = otherValue(spec, DEFAULT_CONFIG[spec.key]);
      expect(checkProperty(spec, other)).toBeNull();
      const changed = { ...DEFAULT_CONFIG, [spec.key]: other } as PlaygroundConfig;
      for (const run of RUN_IDS) {
        const before = resolveConfig(trainConfigFor(DEFAULT_CONFIG, run));
        const after = resolveConfig(trainConfigFor(changed, run));
        // fp32 runs fix their own bits.
        if (run === 'fp32' && spec.path.startsWith('quant.') && spec.path !== 'quant.perChannel') continue;
        const expected = structuredClone(before) as unknown as Record<string, unknown>;
        setAt(expected, spec.path, knobValue(k, other));
        expect(after, run).toEqual(expected);
        expect(getAt(after, spec.path)).toEqual(knobValue(k, other));
      }
    });
  }

  it('trainConfigFor writes flip as the engine holds it', () => {
    for (const [flip, engine] of [['auto', 'auto'], ['on', true], ['off', false]] as const) {
      expect(trainConfigFor({ ...DEFAULT_CONFIG, flip }, 'lsq').augment?.flip).toBe(engine);
    }
    expect(trainConfigFor(DEFAULT_CONFIG, 'lsq').evalSamples).toBe(1000);
  });
});
