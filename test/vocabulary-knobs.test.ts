import { describe, expect, it } from 'vitest';
import { checkBits } from '../src/engine/quant/config';
import { DEFAULT_TRAIN_CONFIG, resolveConfig } from '../src/engine/train/config';
import { BIT_CHOICES, isBitChoice } from '../src/engine/vocabulary/bits';
import { checkKnob, knobName, knobValue, type Knob } from '../src/engine/vocabulary/knob';
import { getAt, leafPaths, mergeTree, setAt, treeOfDefaults } from '../src/engine/vocabulary/knob-tree';
import { knobAt, TRAIN_KNOBS } from '../src/engine/vocabulary/knobs';
import type { TrainConfigInput } from '../src/engine/vocabulary/train-config';
import { checkValue, expectation, rangeText } from '../src/engine/vocabulary/value-rule';
import { badValues, edgeValues } from './helpers/knob-values';

/** DEFAULT_TRAIN_CONFIG as it was written out by hand before the schema held it. */
const HAND_WRITTEN_DEFAULTS = {
  model: 'mlp',
  method: 'lsq',
  quant: { wbits: 4, abits: 4, firstLastBits: 8, perChannel: false },
  optimizer: { name: 'sgd', momentum: 0.9, weightDecay: 5e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
  augment: { translate: 0, flip: 'auto', noise: 0.2, cutout: 0 },
  cr: {
    lambda: { kind: 'sigmoid', max: 3, rampSteps: 300 },
    temperature: 1,
    consistency: 'kl',
    unlabeledRatio: 1,
    teacher: { decay: 0.98, quantized: true, bnStats: 'own' },
  },
  lr: 0.05,
  warmupSteps: 0,
  batchSize: 64,
  steps: 300,
  labeled: 1000,
  validation: 0,
  evalEvery: 100,
  evalSamples: 0,
  seed: 0,
};

const KNOBS: readonly Knob[] = TRAIN_KNOBS;

const input = (path: string, value: unknown): TrainConfigInput => {
  const o: Record<string, unknown> = {};
  setAt(o, path, value);
  return o as TrainConfigInput;
};

describe('the knob schema', () => {
  it('has one knob per leaf of TrainConfig, and its defaults are DEFAULT_TRAIN_CONFIG', () => {
    const paths = TRAIN_KNOBS.map((k) => k.path);
    expect([...paths].sort()).toEqual(leafPaths(DEFAULT_TRAIN_CONFIG).sort());
    expect(treeOfDefaults(TRAIN_KNOBS)).toEqual(DEFAULT_TRAIN_CONFIG);
    for (const k of TRAIN_KNOBS) expect(getAt(DEFAULT_TRAIN_CONFIG, k.path), k.path).toEqual(k.default);
    expect(DEFAULT_TRAIN_CONFIG).toEqual(HAND_WRITTEN_DEFAULTS);
    expect(resolveConfig()).toEqual(DEFAULT_TRAIN_CONFIG);
  });

  it('paths and flags are distinct, and no path is the group of another', () => {
    const paths = TRAIN_KNOBS.map((k) => k.path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const p of paths) for (const q of paths) expect(q.startsWith(`${p}.`), `${q} under ${p}`).toBe(false);
    const flags = TRAIN_KNOBS.flatMap((k) => (k.flag ? [k.flag] : []));
    expect(new Set(flags).size).toBe(flags.length);
    for (const f of flags) expect(f).toMatch(/^[a-z][a-z0-9-]*$/);
  });

  for (const k of KNOBS) {
    it(`${k.path}: a one-line doc, a rule that holds its default and its edges`, () => {
      expect(k.doc.length).toBeGreaterThan(2);
      expect(k.doc).not.toMatch(/\n/);
      expect(checkKnob(k, k.default)).toBeNull();
      for (const v of edgeValues(k)) expect(checkKnob(k, v), String(v)).toBeNull();
      if (k.kind === 'int' || k.kind === 'number') expect(k.min).toBeLessThan(k.max);
      if (k.kind === 'choice') {
        expect(new Set(k.options).size).toBe(k.options.length);
        if (k.values) expect(k.values).toHaveLength(k.options.length);
        for (const o of k.options) expect(knobName(k, knobValue(k, o))).toBe(o);
      }
    });
  }
});

describe('resolveConfig checks every knob from the schema', () => {
  for (const k of KNOBS) {
    it(`${k.path}: refuses ${badValues(k).map(String).join(', ')} in one line naming the knob`, () => {
      for (const bad of badValues(k)) {
        let message = '';
        try {
          resolveConfig(input(k.path, bad));
        } catch (e) {
          expect(e).toBeInstanceOf(RangeError);
          message = (e as Error).message;
        }
        expect(message, `${k.path} = ${String(bad)}`).toMatch(new RegExp(`^${k.path.replace(/\./g, '\\.')} must be `));
        expect(message.split('\n')).toHaveLength(1);
      }
      // The default method (lsq) keeps the bits given, so every knob's edges come back as given.
      for (const good of edgeValues(k)) expect(getAt(resolveConfig(input(k.path, good)), k.path)).toEqual(good);
    });
  }

  it('names the range it wanted and the value it got', () => {
    expect(() => resolveConfig({ cr: { lambda: { max: 101 } } })).toThrow('cr.lambda.max must be between 0 and 100, got 101');
    expect(() => resolveConfig({ optimizer: { momentum: 1 } })).toThrow('optimizer.momentum must be in [0, 1), got 1');
    expect(() => resolveConfig({ lr: 0 })).toThrow('lr must be > 0, got 0');
    expect(() => resolveConfig({ quant: { wbits: 9 } })).toThrow('quant.wbits must be one of 2, 3, 4, 5, 6, 7, 8, 32, got 9');
    expect(() => resolveConfig({ augment: { flip: 'on' as unknown as boolean } })).toThrow('augment.flip must be one of auto, on, off, got "on"');
    expect(() => resolveConfig({ steps: 1.5 })).toThrow('steps must be a whole number, got 1.5');
  });

  it('refuses a field the schema does not know', () => {
    expect(() => resolveConfig({ cr: { teacher: { warmup: 3 } } } as unknown as TrainConfigInput)).toThrow('cr.teacher.warmup is not a training setting');
    expect(() => resolveConfig({ stepz: 3 } as unknown as TrainConfigInput)).toThrow(/stepz/);
  });

  it('keeps the rule that needs two fields: fp32 ignores the bits given', () => {
    const fp = resolveConfig({ method: 'fp32', quant: { wbits: 9, abits: 2, perChannel: true } });
    expect(fp.quant).toEqual({ wbits: 32, abits: 32, firstLastBits: 32, perChannel: true });
    expect(() => resolveConfig({ method: 'lsq', quant: { wbits: 9 } })).toThrow(/quant\.wbits/);
  });

  it('returns groups of its own: changing the result leaves the defaults alone', () => {
    const c = resolveConfig();
    c.quant.wbits = 2;
    c.cr.lambda.max = 7;
    expect(DEFAULT_TRAIN_CONFIG.quant.wbits).toBe(4);
    expect(DEFAULT_TRAIN_CONFIG.cr.lambda.max).toBe(3);
  });
});

describe('bit widths are one list', () => {
  it('the schema, checkBits and isBitChoice agree on every width', () => {
    for (let b = -1; b <= 40; b++) {
      const ok = isBitChoice(b);
      expect(checkKnob(knobAt('quant.wbits'), b) === null, `${b}`).toBe(ok);
      expect(checkKnob(knobAt('quant.firstLastBits'), b) === null, `${b}`).toBe(ok);
      if (ok) expect(() => checkBits(b, 'weight bits')).not.toThrow();
      else expect(() => checkBits(b, 'weight bits')).toThrow(/2–8 bits or 32/);
    }
    expect([...BIT_CHOICES]).toEqual([2, 3, 4, 5, 6, 7, 8, 32]);
  });
});

describe('value rules', () => {
  it('write ranges as people read them', () => {
    expect(rangeText({ kind: 'int', min: 1, max: 1024 })).toBe('between 1 and 1024');
    expect(rangeText({ kind: 'number', min: 1e-6, max: 10 })).toBe('between 0.000001 and 10');
    expect(rangeText({ kind: 'number', min: 0, max: 1, maxOpen: true })).toBe('in [0, 1)');
    expect(rangeText({ kind: 'number', min: 0, max: Infinity, minOpen: true })).toBe('> 0');
    expect(rangeText({ kind: 'number', min: 0, max: Infinity })).toBe('≥ 0');
    expect(expectation({ kind: 'int', min: 0, max: 8 })).toBe('a whole number between 0 and 8');
    expect(expectation({ kind: 'choice', options: ['kl', 'mse'] })).toBe('one of kl, mse');
  });

  it('give the reasons the page shows', () => {
    expect(checkValue({ kind: 'bool' }, 1)).toBe('must be on or off');
    expect(checkValue({ kind: 'int', min: 1, max: 9 }, 1.5)).toBe('must be a whole number');
    expect(checkValue({ kind: 'number', min: 1, max: 9 }, Infinity)).toBe('must be a number');
    expect(checkValue({ kind: 'number', min: 1, max: 9 }, 10)).toBe('must be between 1 and 9');
    expect(checkValue({ kind: 'choice', options: [2, 4] }, '4')).toBe('must be one of 2, 4');
    expect(checkValue({ kind: 'number', min: 0, max: 1, maxOpen: true }, 0.999)).toBeNull();
  });
});

describe('paths', () => {
  it('read, write and merge nested groups', () => {
    const o: Record<string, unknown> = {};
    setAt(o, 'cr.lambda.max', 2);
    setAt(o, 'cr.lambda.kind', 'linear');
    setAt(o, 'lr', 0.1);
    expect(o).toEqual({ cr: { lambda: { max: 2, kind: 'linear' } }, lr: 0.1 });
    expect(getAt(o, 'cr.lambda.max')).toBe(2);
    expect(getAt(o, 'cr.teacher.decay')).toBeUndefined();
    expect(getAt(o, 'lr.x')).toBeUndefined();
    expect(leafPaths(o)).toEqual(['cr.lambda.max', 'cr.lambda.kind', 'lr']);
    const a = { cr: { lambda: { max: 2, rampSteps: 10 } }, steps: 5 };
    const merged = mergeTree<Record<string, unknown>>(a, { cr: { lambda: { max: 4 } } });
    expect(merged).toEqual({ cr: { lambda: { max: 4, rampSteps: 10 } }, steps: 5 });
    expect(a.cr.lambda.max).toBe(2);
  });
});
