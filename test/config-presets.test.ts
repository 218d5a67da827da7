import { resolveConfig, DEFAULT_TRAIN_CONFIG } from '../src/engine/train/config';
import { trainConfigFor } from '../src/config/run-config';
import { describe, expect, it } from 'vitest';
import { BACKEND_CHOICES, checkProperty, crossCheck, DEFAULT_CONFIG, PROPERTIES, type PlaygroundConfig, type PropertySpec } from '../src/config/playground-config';
import { applyPreset, matchingPreset, PRESETS } from '../src/config/presets';
import { decodeConfig, encodeConfig } from '../src/config/url-hash';

/** An allowed value of a property other than `current`. */
function otherValue(spec: PropertySpec, current: unknown): unknown {
  switch (spec.kind) {
    case 'bool':
      return !current;
    case 'choice':
      return spec.options.find((o) => o !== current);
    case 'int':
    case 'number': {
      const v = current as number;
      if (v + 1 <= spec.max) return v + 1;
      if (v - 1 >= spec.min) return v - 1;
      return spec.kind === 'int' ? spec.min : (spec.min + spec.max) / 2;
    }
  }
}

describe('PRESETS', () => {
  it('have distinct ids and labels, and a blurb each', () => {
    expect(new Set(PRESETS.map((p) => p.id)).size).toBe(PRESETS.length);
    expect(new Set(PRESETS.map((p) => p.label)).size).toBe(PRESETS.length);
    for (const p of PRESETS) expect(p.blurb.length).toBeGreaterThan(10);
    expect(PRESETS.map((p) => p.id)).toEqual(['classroom', 'mlp', 'paper', 'cifar']);
  });

  for (const p of PRESETS) {
    it(`${p.id}: its config passes checkProperty for every property and crossCheck`, () => {
      expect(Object.keys(p.config).sort()).toEqual(PROPERTIES.map((s) => s.key).sort());
      for (const spec of PROPERTIES) expect(checkProperty(spec, p.config[spec.key]), `${p.id}.${spec.key}`).toBeNull();
      expect(crossCheck(p.config)).toEqual([]);
      // It survives a link without a note.
      const decoded = decodeConfig(encodeConfig(p.config));
      expect(decoded.notes).toEqual([]);
      expect(decoded.config).toEqual(p.config);
    });
  }

  it('are pairwise different outside seed and backend', () => {
    for (let i = 0; i < PRESETS.length; i++) {
      for (let j = i + 1; j < PRESETS.length; j++) {
        const a = PRESETS[i].config;
        const b = { ...PRESETS[j].config, seed: a.seed, backend: a.backend };
        expect(a, `${PRESETS[i].id} vs ${PRESETS[j].id}`).not.toEqual(b);
      }
    }
  });
});

describe('applyPreset', () => {
  const current: PlaygroundConfig = { ...DEFAULT_CONFIG, seed: 4242, backend: 'cpu', model: 'resnet20', lr: 0.2, steps: 5 };

  for (const p of PRESETS) {
    it(`${p.id}: takes every knob from the preset but keeps seed and backend`, () => {
      const c = applyPreset(current, p);
      expect(c.seed).toBe(4242);
      expect(c.backend).toBe('cpu');
      for (const spec of PROPERTIES) {
        if (spec.key === 'seed' || spec.key === 'backend') continue;
        expect(c[spec.key], spec.key).toEqual(p.config[spec.key]);
      }
      // The preset itself is untouched, and the result is a new object.
      expect(c).not.toBe(p.config);
      expect(p.config.backend).toBe('auto');
      expect(p.config.seed).toBe(0);
    });
  }

  it('does not modify the current config', () => {
    const before = { ...current };
    applyPreset(current, PRESETS[1]);
    expect(current).toEqual(before);
  });
});

describe('matchingPreset', () => {
  it('DEFAULT_CONFIG is the classroom preset', () => {
    expect(matchingPreset(DEFAULT_CONFIG)?.id).toBe('classroom');
  });

  for (const p of PRESETS) {
    it(`${p.id}: found after applyPreset with any seed and backend`, () => {
      for (const seed of [0, 1, 77, 2 ** 31 - 1]) {
        for (const backend of BACKEND_CHOICES) {
          const c = applyPreset({ ...DEFAULT_CONFIG, seed, backend, model: 'resnet20', cr: false }, p);
          expect(matchingPreset(c)?.id, `seed ${seed} backend ${backend}`).toBe(p.id);
        }
      }
    });

    it(`${p.id}: returns null once any other knob is changed`, () => {
      const base = applyPreset({ ...DEFAULT_CONFIG, seed: 3, backend: 'wasm' }, p);
      for (const spec of PROPERTIES) {
        if (spec.key === 'seed' || spec.key === 'backend') continue;
        const changed = { ...base, [spec.key]: otherValue(spec, base[spec.key]) } as PlaygroundConfig;
        expect(changed[spec.key], spec.key).not.toEqual(base[spec.key]);
        expect(matchingPreset(changed), `${p.id} with ${spec.key} changed`).toBeNull();
      }
    });
  }

  it('a config that differs from every preset in several knobs matches none', () => {
    expect(matchingPreset({ ...DEFAULT_CONFIG, model: 'resnet20', dataset: 'fashion-mnist', wbits: 8 })).toBeNull();
  });
});

describe('one meaning of LSQ+CR', () => {
  it("the classroom preset's CR settings and views are the engine's defaults", () => {
    const classroom = PRESETS.find((p) => p.id === 'classroom')!;
    const resolved = resolveConfig(trainConfigFor(classroom.config, 'lsq+cr'));
    expect(resolved.cr).toEqual(DEFAULT_TRAIN_CONFIG.cr);
    expect(resolved.augment).toEqual(DEFAULT_TRAIN_CONFIG.augment);
    // The LSQ run of the preset gets the same views, so the pair differs only by CR.
    expect(resolveConfig(trainConfigFor(classroom.config, 'lsq')).augment).toEqual(resolved.augment);
  });
});
