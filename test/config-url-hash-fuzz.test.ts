import { describe, expect, it } from 'vitest';
import { checkProperty, PROPERTIES } from '../src/config/playground-config';
import { decodeConfig, encodeConfig } from '../src/config/url-hash';
import { Fuzz } from './helpers/fuzz';

const CASES = 600;

/** Values a hand-edited or damaged link may hold. */
function wildValue(f: Fuzz): string {
  switch (f.int(0, 9)) {
    case 0:
      return '';
    case 1:
      return String(f.int(-1e6, 1e6));
    case 2:
      return String((f.float() - 0.5) * 10 ** f.int(-12, 12));
    case 3:
      return f.pick(['NaN', 'Infinity', '-Infinity', '1e999', '0x10', '1_000', ' 4 ', '4.', '.5', '+3', '--1', '1e', 'true', 'false', 'on']);
    case 4:
      return f.pick(['%', '%E0%A4%A', '\u0000', '😀', '<script>', '../..', '#', '&', '=']);
    case 5:
      return 'x'.repeat(f.int(1, 5000));
    case 6:
      return String.fromCharCode(...Array.from({ length: f.int(1, 20) }, () => f.int(0, 0xffff)));
    default: {
      // A valid value of some property, to land in the right place half the time.
      const spec = f.pick(PROPERTIES);
      return spec.kind === 'choice' ? String(f.pick(spec.options)) : spec.kind === 'bool' ? f.pick(['0', '1']) : String(f.int(0, 100));
    }
  }
}

/** Lone surrogates cannot be percent-encoded; a link can still carry them raw. */
function encoded(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
}

describe('fuzzed links', () => {
  it(`always open a valid setup, with a one-line note per refused value (${CASES} cases)`, () => {
    const f = new Fuzz('url-hash');
    let notes = 0;
    for (let i = 0; i < CASES; i++) {
      const parts: string[] = [];
      for (let k = f.int(0, 12); k > 0; k--) {
        const name = f.float() < 0.8 ? f.pick(PROPERTIES).hash : wildValue(f);
        parts.push(f.float() < 0.1 ? name : `${encoded(name)}=${f.float() < 0.7 ? encoded(wildValue(f)) : wildValue(f)}`);
      }
      const hash = `${f.float() < 0.5 ? '#' : ''}${parts.join(f.float() < 0.9 ? '&' : ';')}`;
      const { config, notes: said } = decodeConfig(hash);
      for (const spec of PROPERTIES) expect(checkProperty(spec, config[spec.key]), `${hash} → ${spec.key}`).toBeNull();
      for (const n of said) {
        expect(n).not.toMatch(/[\n\r]/);
        expect(n.length).toBeLessThan(400);
      }
      notes += said.length;
      // What it opened is a link that opens the same setup again, silently.
      const again = decodeConfig(encodeConfig(config));
      expect(again.notes).toEqual([]);
      expect(again.config).toEqual(config);
    }
    expect(notes).toBeGreaterThan(CASES);
  });
});
