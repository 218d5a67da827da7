import { describe, expect, it } from 'vitest';
import { checkProperty, crossCheck, DEFAULT_CONFIG, PROPERTIES, TRAIN_SIZE, type PlaygroundConfig, type PropertySpec } from '../src/config/playground-config';
import { PRESETS } from '../src/config/presets';
import { RUN_IDS, trainConfigFor } from '../src/config/run-config';
import { decodeConfig, encodeConfig } from '../src/config/url-hash';
import { resolveConfig } from '../src/engine/train/config';

/** Every property set to an allowed value that differs from its default. */
const CHANGED: PlaygroundConfig = {
  dataset: 'cifar10',
  model: 'cnn-small',
  wbits: 4,
  abits: 3,
  firstLastBits: 32,
  perChannel: true,
  optimizer: 'adam',
  lr: 0.0123,
  batchSize: 100,
  steps: 777,
  labeled: 2500,
  cr: false,
  lambdaSchedule: 'cosine',
  lambdaMax: 2.5,
  rampSteps: 0,
  emaDecay: 0.999,
  temperature: 0.5,
  unlabeledRatio: 3,
  translate: 4,
  flip: 'on',
  noise: 0.75,
  cutout: 8,
  evalEvery: 0,
  fp32: true,
  sharpness: 'thorough',
  sharpnessEvery: 7,
  spectrumSamples: 64,
  backend: 'wasm',
  seed: 123456789,
};

const hashOf = (pairs: Record<string, string>) => new URLSearchParams(pairs).toString();

describe('PROPERTIES and DEFAULT_CONFIG', () => {
  it('cover every config key once, with distinct hash names', () => {
    const keys = PROPERTIES.map((p) => p.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(Object.keys(DEFAULT_CONFIG).sort());
    const hashes = PROPERTIES.map((p) => p.hash);
    expect(new Set(hashes).size).toBe(hashes.length);
    for (const h of hashes) expect(h).toMatch(/^[a-z][a-z0-9]*$/);
  });

  it('DEFAULT_CONFIG passes checkProperty for every property, and crossCheck', () => {
    for (const spec of PROPERTIES) expect(checkProperty(spec, DEFAULT_CONFIG[spec.key]), spec.key).toBeNull();
    expect(crossCheck(DEFAULT_CONFIG)).toEqual([]);
  });

  it('the changed config differs from the default in every property and is valid', () => {
    for (const spec of PROPERTIES) {
      expect(CHANGED[spec.key], spec.key).not.toEqual(DEFAULT_CONFIG[spec.key]);
      expect(checkProperty(spec, CHANGED[spec.key]), spec.key).toBeNull();
    }
    expect(crossCheck(CHANGED)).toEqual([]);
  });

  it('checkProperty refuses values of the wrong kind, out of range or not offered', () => {
    const spec = (key: keyof PlaygroundConfig): PropertySpec => PROPERTIES.find((p) => p.key === key)!;
    expect(checkProperty(spec('perChannel'), 1)).toMatch(/on or off/);
    expect(checkProperty(spec('perChannel'), 'true')).toMatch(/on or off/);
    expect(checkProperty(spec('wbits'), 9)).toMatch(/one of 2, 3, 4, 5, 6, 7, 8, 32/);
    expect(checkProperty(spec('wbits'), '4')).not.toBeNull();
    expect(checkProperty(spec('model'), 'vgg')).toMatch(/one of mlp, mlp-narrow, cnn-tiny, cnn-small, resnet20/);
    expect(checkProperty(spec('batchSize'), 1.5)).toMatch(/whole number/);
    expect(checkProperty(spec('batchSize'), 0)).toMatch(/between 1 and 1024/);
    expect(checkProperty(spec('batchSize'), 1025)).toMatch(/between 1 and 1024/);
    expect(checkProperty(spec('batchSize'), 1024)).toBeNull();
    expect(checkProperty(spec('lr'), Infinity)).toMatch(/must be a number/);
    expect(checkProperty(spec('lr'), NaN)).toMatch(/must be a number/);
    expect(checkProperty(spec('lr'), '0.1')).toMatch(/must be a number/);
    expect(checkProperty(spec('lr'), 0)).toMatch(/between/);
    expect(checkProperty(spec('lr'), 10)).toBeNull();
    expect(checkProperty(spec('emaDecay'), 1)).toMatch(/between 0 and 0.99999/);
    // A 'number' property takes fractions; an 'int' one does not.
    expect(checkProperty(spec('noise'), 0.123)).toBeNull();
    expect(checkProperty(spec('seed'), 2 ** 31)).toMatch(/between/);
    expect(checkProperty(spec('seed'), 2 ** 31 - 1)).toBeNull();
  });

  it('crossCheck resets labeled beyond the dataset train size only', () => {
    expect(TRAIN_SIZE.cifar10).toBe(50_000);
    expect(crossCheck({ ...DEFAULT_CONFIG, dataset: 'cifar10', labeled: 50_000 })).toEqual([]);
    const p = crossCheck({ ...DEFAULT_CONFIG, dataset: 'cifar10', labeled: 50_001 });
    expect(p).toHaveLength(1);
    expect(p[0].key).toBe('labeled');
    expect(p[0].reason).toMatch(/cifar10.*50000/);
    expect(crossCheck({ ...DEFAULT_CONFIG, dataset: 'fashion-mnist', labeled: 60_000 })).toEqual([]);
  });
});

describe('encodeConfig / decodeConfig', () => {
  it('round-trips DEFAULT_CONFIG with no notes, and writes every property in PROPERTIES order', () => {
    const hash = encodeConfig(DEFAULT_CONFIG);
    expect([...new URLSearchParams(hash).keys()]).toEqual(PROPERTIES.map((p) => p.hash));
    expect(new URLSearchParams(hash).get('pc')).toBe('0');
    expect(new URLSearchParams(hash).get('cr')).toBe('1');
    const { config, notes } = decodeConfig(hash);
    expect(notes).toEqual([]);
    expect(config).toEqual(DEFAULT_CONFIG);
  });

  it('round-trips a config with every property changed, seed included', () => {
    const hash = encodeConfig(CHANGED);
    const { config, notes } = decodeConfig(hash);
    expect(notes).toEqual([]);
    expect(config).toEqual(CHANGED);
    expect(config.seed).toBe(123456789);
    // The encoding differs from the default one in every property.
    const a = new URLSearchParams(hash);
    const d = new URLSearchParams(encodeConfig(DEFAULT_CONFIG));
    for (const spec of PROPERTIES) expect(a.get(spec.hash), spec.key).not.toBe(d.get(spec.hash));
  });

  it('round-trips extreme allowed values', () => {
    const c: PlaygroundConfig = { ...DEFAULT_CONFIG, lr: 1e-6, seed: 2 ** 31 - 1, steps: 100_000, emaDecay: 0.99999, lambdaMax: 0, labeled: 60_000 };
    const { config, notes } = decodeConfig(`#${encodeConfig(c)}`);
    expect(notes).toEqual([]);
    expect(config).toEqual(c);
  });

  it('reads a hash with or without its leading #', () => {
    const hash = encodeConfig(CHANGED);
    expect(decodeConfig(`#${hash}`)).toEqual(decodeConfig(hash));
    expect(decodeConfig(`#${hash}`).config).toEqual(CHANGED);
    expect(decodeConfig('#seed=42').config).toEqual({ ...DEFAULT_CONFIG, seed: 42 });
    expect(decodeConfig('seed=42').config).toEqual({ ...DEFAULT_CONFIG, seed: 42 });
  });

  it('an empty hash gives the defaults and no notes', () => {
    for (const h of ['', '#']) {
      const { config, notes } = decodeConfig(h);
      expect(config).toEqual(DEFAULT_CONFIG);
      expect(notes).toEqual([]);
    }
  });

  it('returns a fresh config object, never DEFAULT_CONFIG itself', () => {
    const { config } = decodeConfig('');
    expect(config).not.toBe(DEFAULT_CONFIG);
    config.seed = 99;
    expect(DEFAULT_CONFIG.seed).toBe(0);
  });

  it('reads booleans as 1/0 and true/false', () => {
    expect(decodeConfig('pc=1&cr=0').config).toMatchObject({ perChannel: true, cr: false });
    expect(decodeConfig('pc=true&cr=false').config).toMatchObject({ perChannel: true, cr: false });
  });

  it('an unknown key gives a note and is ignored, the rest is used', () => {
    const { config, notes } = decodeConfig('#bogus=1&seed=5');
    expect(config).toEqual({ ...DEFAULT_CONFIG, seed: 5 });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('"bogus"');
    expect(notes[0]).toMatch(/not a setting/);
  });

  // [hash name, bad text, what the note says]
  const badCases: [string, string, RegExp][] = [
    ['lr', '20', /between 0.000001 and 10|between 1e-6 and 10/],
    ['lr', '-1', /between/],
    ['bs', 'abc', /must be a number/],
    ['bs', '12.5', /whole number/],
    ['model', 'vgg', /must be one of mlp, mlp-narrow, cnn-tiny, cnn-small, resnet20/],
    ['w', '9', /must be one of 2, 3, 4, 5, 6, 7, 8, 32/],
    ['a', 'four', /must be one of/],
    ['pc', 'maybe', /on or off/],
    ['steps', '', /must be a number/],
    ['data', '', /must be a dataset name: lowercase letters, digits and dashes/],
    ['pc', '', /on or off/],
    ['fl', '', /must be one of/],
    ['lr', 'Infinity', /must be a number/],
    ['seed', '-1', /between 0 and 2147483647/],
  ];

  for (const [name, text, reason] of badCases) {
    it(`${name}=${JSON.stringify(text)} falls back to its default with a note, other values kept`, () => {
      const spec = PROPERTIES.find((p) => p.hash === name)!;
      const hash = hashOf({ data: 'cifar10', opt: 'adam', shift: '3', seed: '7', [name]: text });
      const { config, notes } = decodeConfig(hash);
      expect(config[spec.key]).toEqual(DEFAULT_CONFIG[spec.key]);
      expect(notes).toHaveLength(1);
      expect(notes[0].startsWith(`${name}=${text}:`)).toBe(true);
      expect(notes[0]).toMatch(reason);
      expect(notes[0]).toMatch(/; using .+\.$/);
      const others = { dataset: 'cifar10', optimizer: 'adam', translate: 3, seed: 7 } as Partial<PlaygroundConfig>;
      delete (others as Record<string, unknown>)[spec.key];
      expect(config).toEqual({ ...DEFAULT_CONFIG, ...others });
    });
  }

  it('the note names the default that is used instead', () => {
    expect(decodeConfig('lr=20').notes[0]).toBe('lr=20: must be between 0.000001 and 10; using 0.05.');
    expect(decodeConfig('pc=maybe').notes[0]).toBe('pc=maybe: must be on or off; using 0.');
    expect(decodeConfig('w=9').notes[0]).toBe('w=9: must be one of 2, 3, 4, 5, 6, 7, 8, 32; using 2.');
  });

  it('several bad values give one note each; the good ones are kept', () => {
    const { config, notes } = decodeConfig('model=vgg&w=4&a=1&bs=abc&lr=0.01&nope=3&seed=11');
    expect(config).toEqual({ ...DEFAULT_CONFIG, wbits: 4, lr: 0.01, seed: 11 });
    expect(notes).toHaveLength(4);
    expect(notes.some((n) => n.startsWith('model=vgg'))).toBe(true);
    expect(notes.some((n) => n.startsWith('a=1'))).toBe(true);
    expect(notes.some((n) => n.startsWith('bs=abc'))).toBe(true);
    expect(notes.some((n) => n.includes('"nope"'))).toBe(true);
  });

  it('shortens a very long garbage value (and key) in its note', () => {
    const garbage = 'x'.repeat(5000);
    const { config, notes } = decodeConfig(hashOf({ model: garbage, seed: '3' }));
    expect(config).toEqual({ ...DEFAULT_CONFIG, seed: 3 });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(`model=${'x'.repeat(40)}…:`);
    expect(notes[0]).not.toContain('x'.repeat(41));
    expect(notes[0].length).toBeLessThan(200);

    const longKey = decodeConfig(hashOf({ ['k'.repeat(300)]: '1' })).notes;
    expect(longKey).toHaveLength(1);
    expect(longKey[0]).toContain(`"${'k'.repeat(40)}…"`);
    expect(longKey[0].length).toBeLessThan(120);
  });

  it('a value of exactly 40 characters is not shortened', () => {
    const text = 'y'.repeat(40);
    expect(decodeConfig(hashOf({ model: text })).notes[0]).toContain(`model=${text}:`);
  });

  it('labeled larger than the dataset train size is reset by crossCheck with a note', () => {
    const { config, notes } = decodeConfig(hashOf({ data: 'cifar10', labeled: '55000', seed: '9' }));
    expect(config).toEqual({ ...DEFAULT_CONFIG, dataset: 'cifar10', seed: 9, labeled: DEFAULT_CONFIG.labeled });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('labeled=55000');
    expect(notes[0]).toContain('50000');
    expect(notes[0]).toMatch(/using 1000\.$/);
    // The same number is fine on Fashion-MNIST (60,000 training images).
    const fm = decodeConfig(hashOf({ data: 'fashion-mnist', labeled: '55000' }));
    expect(fm.notes).toEqual([]);
    expect(fm.config.labeled).toBe(55_000);
  });
});

describe('trainConfigFor + resolveConfig', () => {
  const configs: [string, PlaygroundConfig][] = [
    ['DEFAULT_CONFIG', DEFAULT_CONFIG],
    ['all changed', CHANGED],
    ...PRESETS.map((p) => [`preset ${p.id}`, p.config] as [string, PlaygroundConfig]),
  ];

  for (const [label, c] of configs) {
    it(`${label}: both runs resolve and share seed, model, quant, lr and augment`, () => {
      const resolved = RUN_IDS.map((run) => {
        const input = trainConfigFor(c, run);
        expect(() => resolveConfig(input), run).not.toThrow();
        return resolveConfig(input);
      });
      const [fp32, lsq, cr] = resolved;
      // The reference run trains the same model and data at full precision.
      expect(fp32.method).toBe('fp32');
      expect(fp32.quant.wbits).toBe(32);
      expect([fp32.seed, fp32.model, fp32.lr]).toEqual([lsq.seed, lsq.model, lsq.lr]);
      expect(lsq.method).toBe('lsq');
      expect(cr.method).toBe('lsq+cr');
      expect(cr.seed).toBe(lsq.seed);
      expect(lsq.seed).toBe(c.seed);
      expect(cr.model).toBe(lsq.model);
      expect(lsq.model).toBe(c.model);
      expect(cr.quant).toEqual(lsq.quant);
      expect(lsq.quant).toEqual({ wbits: c.wbits, abits: c.abits, firstLastBits: c.firstLastBits, perChannel: c.perChannel });
      expect(cr.lr).toBe(lsq.lr);
      expect(lsq.lr).toBe(c.lr);
      expect(cr.augment).toEqual(lsq.augment);
      expect(lsq.augment.translate).toBe(c.translate);
      expect(lsq.augment.flip).toBe(c.flip === 'auto' ? 'auto' : c.flip === 'on');
      expect(cr.batchSize).toBe(c.batchSize);
      expect(cr.steps).toBe(c.steps);
      expect(cr.labeled).toBe(c.labeled);
      expect(cr.optimizer.name).toBe(c.optimizer);
      expect(cr.cr.lambda).toEqual({ kind: c.lambdaSchedule, max: c.lambdaMax, rampSteps: c.rampSteps });
      expect(cr.cr.teacher.decay).toBe(c.emaDecay);
      expect(cr.cr.temperature).toBe(c.temperature);
    });
  }

  it('a decoded link resolves for both runs', () => {
    const { config } = decodeConfig(encodeConfig(CHANGED));
    for (const run of RUN_IDS) expect(() => resolveConfig(trainConfigFor(config, run))).not.toThrow();
  });
});

describe('numbers in links are plain decimals', () => {
  it('hex, binary and blank values are refused with a note; exponents are accepted', () => {
    const d = decodeConfig('w=0x4&bs=0b11&lr=%20&steps=1e3');
    expect(d.config.wbits).toBe(DEFAULT_CONFIG.wbits);
    expect(d.config.batchSize).toBe(DEFAULT_CONFIG.batchSize);
    expect(d.config.lr).toBe(DEFAULT_CONFIG.lr);
    expect(d.config.steps).toBe(1000);
    expect(d.notes).toHaveLength(3);
  });

  it('a repeated unknown key gives one note', () => {
    expect(decodeConfig('x=1&x=2').notes).toEqual(['"x" is not a setting of this page; ignored.']);
  });
});
