import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config/playground-config';
import { PRESETS } from '../src/config/presets';
import { pairedGain } from '../src/engine/util/paired';
import { gapVerdict, ONE_SEED, pairedVerdict, points, presetSpread, singleSeedVerdict, winsText } from '../src/store/seed-noise';

const spread = { std: 0.5, seeds: 8, command: 'npm run experiment -- --preset classroom --seeds 0-7' };

describe('one seed against the preset spread', () => {
  it('gap ± 1.96·std covering 0 is within seed noise', () => {
    // 1.96 × 0.5 = 0.98: +0.90 ± 0.98 covers 0.
    const v = singleSeedVerdict(0.9, spread);
    expect(v.withinNoise).toBe(true);
    expect(v.text).toBe('within seed noise: +0.90 pts ± 0.98 (1.96 × 0.50, the spread of CR − LSQ over 8 seeds of this preset) covers 0');
    expect(v.command).toBe(spread.command);
    expect(singleSeedVerdict(-0.98, spread).withinNoise).toBe(true);
  });

  it('a gap whose range leaves out 0 is beyond seed noise, either sign', () => {
    expect(singleSeedVerdict(1.2, spread)).toMatchObject({ withinNoise: false, text: expect.stringMatching(/^beyond seed noise: \+1\.20 pts ± 0\.98 .* leaves out 0$/) });
    expect(singleSeedVerdict(-2, spread).text).toMatch(/^beyond seed noise: -2\.00 pts ± 0\.98/);
  });

  it('without a measured spread one seed cannot tell, and says how to find out', () => {
    expect(singleSeedVerdict(3, null)).toEqual({ withinNoise: null, text: 'one seed: too little to tell a gap from seed noise; Repeat with N seeds' });
  });

  it('the spread comes from the preset the config matches, and none for a custom setup', () => {
    const classroom = PRESETS.find((p) => p.config === DEFAULT_CONFIG)!;
    expect(presetSpread({ ...DEFAULT_CONFIG, seed: 9 })).toEqual(classroom.pairedSpread ?? null);
    expect(presetSpread({ ...DEFAULT_CONFIG, lr: 0.0123 })).toBeNull();
  });
});

describe('several seeds', () => {
  it('gives the mean and interval of pairedGain and its verdict', () => {
    // Differences 1…5: mean 3, 95% interval 3 ± 1.963.
    const g = pairedGain([11, 12, 13, 14, 15], [10, 10, 10, 10, 10]);
    expect(pairedVerdict(g)).toEqual({ withinNoise: false, text: 'mean +3.00 pts over 5 seeds, 95% interval 1.04 to 4.96: beyond seed noise' });
    expect(winsText(g)).toBe('CR ahead on 5 of 5 seeds');
    const noisy = pairedGain([80.5, 79.7, 80.4], [80, 80, 80]);
    expect(pairedVerdict(noisy)).toEqual({ withinNoise: true, text: 'mean +0.20 pts over 3 seeds, 95% interval -0.88 to 1.28: within seed noise' });
    expect(winsText(noisy)).toBe('CR ahead on 2 of 3 seeds');
    expect(pairedVerdict(pairedGain([81], [80])).text).toBe(ONE_SEED);
  });
});

describe('the summary gap row', () => {
  const seeds = pairedGain([11, 12, 13], [10, 10, 10]);

  it('uses the seeds when two or more finished, whatever the single run shows', () => {
    expect(gapVerdict({ gap: -5, final: true, seeds, spread }).text).toMatch(/^mean \+2\.00 pts over 3 seeds/);
    expect(gapVerdict({ gap: -5, final: false, seeds, spread }).text).toMatch(/^mean \+2\.00 pts over 3 seeds/);
  });

  it('judges one seed only after its last step', () => {
    const one = pairedGain([11], [10]);
    expect(gapVerdict({ gap: 1.2, final: true, seeds: one, spread }).text).toMatch(/^beyond seed noise/);
    expect(gapVerdict({ gap: 1.2, final: true, seeds: null, spread: null }).text).toBe(ONE_SEED);
    expect(gapVerdict({ gap: 1.2, final: false, seeds: null, spread })).toEqual({ withinNoise: null, text: 'judged against seed noise after the last step, on the whole test split' });
  });

  it('writes points with a sign', () => {
    expect(points(0)).toBe('+0.00 pts');
    expect(points(-0.456)).toBe('-0.46 pts');
  });
});
