import { DEFAULT_CONFIG, SHIPPED_DATASET } from '../config/playground-config';
import { matchingPreset, PRESETS } from '../config/presets';
import { runsOf } from '../config/run-config';
import { BACKEND_CHOICES, knobAt } from '../engine';
import { helpOf, KNOB_FLAGS, optionsText, shownDefault, type FlagGroup, type KnobFlag } from './knob-flags';
import { PLAN_DEFAULTS } from './plan-defaults';
import { datasetFlagFor } from './preset-plan';

/** `--help`, written from the tables it describes: the page's presets, the engine's knob schema and its defaults. */

const FLAG_WIDTH = 22;
const HELP_WIDTH = 52;

function line(flag: string, help: string, shown?: string): string {
  // A flag too long for its column gets a line of its own, so the help column stays straight.
  if (flag.length > FLAG_WIDTH - 2) return `  ${flag}\n${line('', help, shown)}`;
  const left = `  ${flag.padEnd(FLAG_WIDTH - 1)} `;
  if (shown === undefined) return `${left}${help}`;
  return `${left}${help.length < HELP_WIDTH ? help.padEnd(HELP_WIDTH) : `${help}  `}default ${shown}`;
}

function presetLines(): string[] {
  const pageDefault = matchingPreset(DEFAULT_CONFIG)?.id;
  return PRESETS.map((p) => {
    const c = p.config;
    const facts = [
      `${c.model} W${c.wbits}A${c.abits}`,
      `${c.labeled} labels`,
      `${c.steps} steps`,
      runsOf(c).join(' + '),
      ...(c.dataset === SHIPPED_DATASET ? [] : [`needs --dataset ${datasetFlagFor(c.dataset)}`]),
      ...(p.id === pageDefault ? ["the page's default"] : []),
    ];
    return `    ${p.id.padEnd(FLAG_WIDTH - 3)} ${facts.join(', ')}`;
  });
}

function flagLines(flags: readonly KnobFlag[], group: FlagGroup): string[] {
  return flags
    .filter((f) => f.group === group)
    .map((f) => line(`--${f.name}${f.arg ? ` ${f.arg}` : ''}`, helpOf(f.knob), f.arg ? shownDefault(f.knob) : undefined));
}

/** The names a list flag takes, from the knob it sets. */
function options(path: 'model' | 'method' | 'quant.wbits' | 'quant.abits'): string {
  const k = knobAt(path);
  return k.kind === 'choice' ? optionsText(k.options) : '';
}

/** The whole text, for a given set of knob flags (the schema's, unless a test passes others). */
export function usageText(flags: readonly KnobFlag[] = KNOB_FLAGS): string {
  return [
    'usage: npm run experiment -- [options]',
    line('--preset ID', "the page's preset of that id: its dataset, model, bits, runs and settings;"),
    line('', 'the other flags override single settings, wherever they are given'),
    ...presetLines(),
    line('--dataset NAME', 'fashion-mnist (shipped), idx:DIR (four MNIST-format files), cifar10:DIR, cifar100:DIR'),
    line('--model LIST', `${options('model')} (comma-separated)`, PLAN_DEFAULTS.model),
    line('--methods LIST', options('method'), PLAN_DEFAULTS.methods),
    line('--wbits LIST', `weight bits, ${options('quant.wbits')} (paired with --abits)`, PLAN_DEFAULTS.wbits),
    line('--abits LIST', `activation bits, ${options('quant.abits')}`, PLAN_DEFAULTS.abits),
    ...flagLines(flags, 'training'),
    line('--seeds LIST', 'seeds and ranges, e.g. 0,1,2 or 0-4 or 0-2,7', PLAN_DEFAULTS.seeds),
    line('--backend NAME', BACKEND_CHOICES.join(', '), PLAN_DEFAULTS.backend),
    line('--out DIR', 'where results.json and summary.md go', PLAN_DEFAULTS.out),
    line('--no-progress', 'no progress bar'),
  line('--save-models', "write each run's model file into --out (results.json names it: modelFile)"),
    line('--hessian WHAT', 'none, top1 or top50: the top Hessian eigenvalue(s) and the trace'),
    line('', 'of the training loss after training', PLAN_DEFAULTS.hessian),
    line('--hessian-samples N', 'labeled images in the fixed batch of the Hessian', PLAN_DEFAULTS['hessian-samples']),
    ' consistency (lsq+cr; lsq+kd uses λ, τ and the loss too):',
    ...flagLines(flags, 'consistency'),
    ' augmentation (every method, each view):',
    ...flagLines(flags, 'augmentation'),
    " the defaults shown are the engine's; with --preset, the preset's settings apply instead.",
  ].join('\n');
}

export const USAGE = usageText();
