import { DEFAULT_CONFIG, type PlaygroundConfig } from './playground-config';

export interface Preset {
  id: string;
  label: string;
  /** One line on what it shows and what it costs. */
  blurb: string;
  config: PlaygroundConfig;
  /**
   * How much LSQ+CR − LSQ moves from seed to seed with this preset, measured with the CLI over several seeds: the
   * sample standard deviation of the per-seed differences, in accuracy points. Lets one seed's gap be judged
   * against seed noise.
   */
  pairedSpread?: { std: number; seeds: number; command: string };
}

/** Starting points; every knob stays editable after picking one. Seeds and backend are kept from the page. */
export const PRESETS: readonly Preset[] = [
  {
    id: 'classroom',
    label: 'Classroom: LSQ vs LSQ+CR (narrow MLP, every layer at 2 bits)',
    blurb:
      'A 784-64-64-10 MLP with every layer at 2 bits, 1,500 steps on 1,000 labels, the other 59,000 training images unlabeled for CR: 2 bits cost it accuracy, and CR wins it back (README). Under a minute for both runs on a laptop CPU.',
    config: DEFAULT_CONFIG,
    // results/classroom: CR − LSQ per seed +0.60, +0.47, +0.20, +0.58, +1.01.
    pairedSpread: { std: 0.29, seeds: 5, command: 'npm run experiment -- --preset classroom --methods fp32,lsq,lsq+cr --seeds 0-4 --backend wasm' },
  },
  {
    id: 'mlp',
    label: 'Wide MLP (W2A2, first and last layer at 8 bits)',
    blurb:
      'A 784-256-256-10 MLP, 300 steps on 1,000 labels: quick, but with its first and last layer at 8 bits, 2 bits barely cost this model anything, so CR has little to win back.',
    config: {
      ...DEFAULT_CONFIG,
      model: 'mlp',
      firstLastBits: 8,
      steps: 300,
      lambdaMax: 0.5,
      rampSteps: 100,
      evalEvery: 50,
    },
  },
  {
    id: 'paper',
    label: 'Paper: LSQ vs LSQ+CR',
    blurb:
      'The small CNN at W2A2 on 1,000 labels with the other 59,000 images unlabeled, 1,000 steps: CR gets room to ramp up. Minutes on a GPU, much longer on a CPU.',
    config: {
      ...DEFAULT_CONFIG,
      model: 'cnn-small',
      firstLastBits: 8,
      // 0.05 makes this CNN's loss spike; 0.003 trains smoothly (README).
      lr: 0.003,
      steps: 1000,
      rampSteps: 300,
      lambdaMax: 1,
      // Translation-consistent views suit a CNN.
      translate: 2,
      noise: 0,
      evalEvery: 100,
    },
  },
  {
    id: 'cifar',
    label: 'CIFAR-10 ResNet-20 (bring the data)',
    blurb: 'ResNet-20 at W4A4 on CIFAR-10, which is not shipped: load its binary batches first. Meant for a GPU.',
    config: {
      ...DEFAULT_CONFIG,
      dataset: 'cifar10',
      model: 'resnet20',
      wbits: 4,
      abits: 4,
      firstLastBits: 8,
      lr: 0.05,
      batchSize: 128,
      steps: 2000,
      labeled: 4000,
      rampSteps: 500,
      lambdaMax: 1,
      translate: 4,
      noise: 0,
      evalEvery: 200,
    },
  },
];

/** The preset's settings with the page's seed and backend kept. */
export function applyPreset(current: PlaygroundConfig, preset: Preset): PlaygroundConfig {
  return { ...preset.config, seed: current.seed, backend: current.backend };
}

/** The preset a config equals, if any (the seed and backend do not count). */
export function matchingPreset(c: PlaygroundConfig): Preset | null {
  return PRESETS.find((p) => {
    const a = applyPreset(c, p);
    return (Object.keys(a) as (keyof PlaygroundConfig)[]).every((k) => a[k] === c[k]);
  }) ?? null;
}
