import { DEFAULT_CONFIG, type PlaygroundConfig } from './playground-config';

export interface Preset {
  id: string;
  label: string;
  /** One line on what it shows and what it costs. */
  blurb: string;
  config: PlaygroundConfig;
}

/** Starting points; every knob stays editable after picking one. Seeds and backend are kept from the page. */
export const PRESETS: readonly Preset[] = [
  {
    id: 'quick',
    label: 'Quick demo (MLP, W2A2)',
    blurb: 'A 784-256-256-10 MLP at 2 bits, 300 steps on 1,000 labels: about a minute on a laptop CPU.',
    config: DEFAULT_CONFIG,
  },
  {
    id: 'paper',
    label: 'Paper: LSQ vs LSQ+CR',
    blurb:
      'The small CNN at W2A2 on 1,000 labels with the other 59,000 images unlabeled, 1,000 steps: CR gets room to ramp up. Minutes on a GPU, much longer on a CPU.',
    config: {
      ...DEFAULT_CONFIG,
      model: 'cnn-small',
      // 0.05 makes this CNN's loss spike; 0.003 trains smoothly (README).
      lr: 0.003,
      steps: 1000,
      rampSteps: 300,
      lambdaMax: 1,
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
