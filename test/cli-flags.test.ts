import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseExperimentArgs, planRuns, UsageError, type ExperimentPlan } from '../src/cli/experiment-args';
import { flagInput, KNOB_FLAGS, knobFlags, optionsText, shownDefault } from '../src/cli/knob-flags';
import { parseSeeds } from '../src/cli/seed-list';
import { USAGE, usageText } from '../src/cli/usage';
import { boolKnob, intKnob, mappedKnob, type Knob } from '../src/engine/vocabulary/knob';
import { getAt } from '../src/engine/vocabulary/knob-tree';
import { TRAIN_KNOBS } from '../src/engine/vocabulary/knobs';
import { badTexts } from './helpers/knob-values';

function plan(args: string[]): ExperimentPlan {
  const p = parseExperimentArgs(args);
  if (p === 'help') throw new Error('unexpected help');
  return p;
}

/** The UsageError a command line gives, or null when it parses. */
function refusal(args: string[]): UsageError | null {
  try {
    parseExperimentArgs(args);
    return null;
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
}

/** Every training flag the CLI had before its flags were read from the schema: [flag, text, path, engine value]. */
const EXISTING_FLAGS: [string, string | null, string, unknown][] = [
  ['first-last-bits', '4', 'quant.firstLastBits', 4],
  ['per-channel', null, 'quant.perChannel', true],
  ['labeled', '500', 'labeled', 500],
  ['validation', '100', 'validation', 100],
  ['steps', '50', 'steps', 50],
  ['batch', '32', 'batchSize', 32],
  ['optimizer', 'adam', 'optimizer.name', 'adam'],
  ['lr', '0.1', 'lr', 0.1],
  ['momentum', '0.5', 'optimizer.momentum', 0.5],
  ['weight-decay', '0.001', 'optimizer.weightDecay', 0.001],
  ['warmup', '10', 'warmupSteps', 10],
  ['eval-every', '5', 'evalEvery', 5],
  ['lambda', '2', 'cr.lambda.max', 2],
  ['lambda-schedule', 'linear', 'cr.lambda.kind', 'linear'],
  ['ramp', '100', 'cr.lambda.rampSteps', 100],
  ['temperature', '2', 'cr.temperature', 2],
  ['consistency', 'mse', 'cr.consistency', 'mse'],
  ['unlabeled-ratio', '2', 'cr.unlabeledRatio', 2],
  ['ema-decay', '0.9', 'cr.teacher.decay', 0.9],
  ['teacher', 'fp', 'cr.teacher.quantized', false],
  ['teacher-bn', 'copy', 'cr.teacher.bnStats', 'copy'],
  ['translate', '2', 'augment.translate', 2],
  ['flip', 'off', 'augment.flip', false],
  ['noise', '0.5', 'augment.noise', 0.5],
  ['cutout', '4', 'augment.cutout', 4],
];

describe('the training flags are the schema\'s', () => {
  it('keeps every existing flag name, and adds none the schema lacks', () => {
    expect(KNOB_FLAGS.map((f) => f.name).sort()).toEqual(EXISTING_FLAGS.map(([f]) => f).sort());
    for (const f of KNOB_FLAGS) expect(f.knob.flag).toBe(f.name);
  });

  it.each(EXISTING_FLAGS)('--%s %s still sets %s', (flag, text, path, value) => {
    const args = text === null ? [`--${flag}`] : [`--${flag}`, text];
    const p = plan([...args, '--methods', 'lsq']);
    expect(getAt(p.overrides, path)).toEqual(value);
    expect(getAt(planRuns(p)[0].config, path)).toEqual(value);
  });

  for (const f of KNOB_FLAGS.filter((x) => x.arg !== undefined)) {
    it(`--${f.name}: refuses ${badTexts(f.knob).join(', ')} in one line naming the flag`, () => {
      for (const text of badTexts(f.knob)) {
        const e = refusal([`--${f.name}=${text}`]);
        expect(e, `--${f.name}=${text}`).not.toBeNull();
        expect(e!.message.startsWith(`--${f.name}: `), e!.message).toBe(true);
        expect(e!.message.split('\n')).toHaveLength(1);
      }
    });
  }

  it('a switch takes no value', () => {
    expect(refusal(['--per-channel=yes'])?.message).toMatch(/--per-channel/);
  });

  it('says what it expected', () => {
    expect(refusal(['--batch', '2000'])?.message).toBe('--batch: expected a whole number between 1 and 1024, got "2000"');
    expect(refusal(['--ema-decay', '1'])?.message).toBe('--ema-decay: expected a number between 0 and 0.99999, got "1"');
    expect(refusal(['--momentum', '1'])?.message).toBe('--momentum: expected a number in [0, 1), got "1"');
    expect(refusal(['--lr', '0'])?.message).toBe('--lr: expected a number > 0, got "0"');
    expect(refusal(['--teacher', 'ema'])?.message).toBe('--teacher: "ema" is not one of quantized, fp');
    expect(refusal(['--first-last-bits', '1'])?.message).toBe('--first-last-bits: "1" is not one of 2, 3, 4, 5, 6, 7, 8, 32');
  });
});

describe('list flags are checked against the schema too', () => {
  it.each([
    [['--model', 'mlp,vgg'], /^--model: "vgg" is not one of mlp, mlp-narrow, cnn-tiny, cnn-small, resnet20$/],
    [['--methods', 'lsq,magic'], /^--methods: "magic" is not one of fp32, lsq, lsq\+cr, lsq\+kd$/],
    [['--wbits', '2,33'], /^--wbits: "33" is not one of 2, 3, 4, 5, 6, 7, 8, 32$/],
    [['--abits', '1'], /^--abits: "1" is not one of/],
    [['--seeds', '2147483648'], /^--seeds: "2147483648" goes past the largest seed, 2147483647$/],
  ])('%j', (args, message) => {
    expect(refusal(args)?.message).toMatch(message);
  });

  it('the largest seed is the seed knob\'s', () => {
    const seed = TRAIN_KNOBS.find((k) => k.path === 'seed')!;
    expect(parseSeeds(String(seed.kind === 'int' ? seed.max : NaN))).toEqual([2 ** 31 - 1]);
  });
});

describe('npm run experiment exits 2 naming the flag', () => {
  const cli = (args: string[]) =>
    promisify(execFile)('npx', ['tsx', 'src/cli/experiment.ts', ...args], { timeout: 120_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );

  it.each([
    ['--batch=0', '--batch'],
    ['--lambda=150', '--lambda'],
    ['--flip=sideways', '--flip'],
  ])('%s', async (arg, flag) => {
    const r = await cli([arg]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`experiment: ${flag}: `);
  });
});

describe('--help is written from the schema', () => {
  const section = (text: string, from: string, to?: string) => text.slice(text.indexOf(from), to ? text.indexOf(to) : undefined);

  it('lists each flag once, in its group, with the schema default', () => {
    const training = section(USAGE, '--model LIST', ' consistency');
    const consistency = section(USAGE, ' consistency', ' augmentation');
    const augmentation = section(USAGE, ' augmentation');
    for (const f of KNOB_FLAGS) {
      const where = f.knob.path.startsWith('cr.') ? consistency : f.knob.path.startsWith('augment.') ? augmentation : training;
      expect(where, f.name).toContain(`--${f.name}`);
      expect(USAGE.split(`--${f.name} `).length + USAGE.split(`--${f.name}\n`).length - 2, f.name).toBe(1);
      if (f.arg) expect(where).toMatch(new RegExp(`--${f.name} ${f.arg}\\s[^]*?default ${shownDefault(f.knob).replace(/[.+]/g, '\\$&')}\\n`));
    }
    expect(USAGE).toContain('--teacher NAME');
    expect(USAGE).toMatch(/--flip NAME .*: auto, on, off {2}default auto/);
  });

  it('a knob added to the schema gets a flag, a help line and a parser, with no CLI edit', () => {
    const warmup: Knob = intKnob('cr.teacher.warmup', { min: 0, max: 1000, default: 10, doc: 'teacher warm-up steps', flag: 'teacher-warmup' });
    const sharpen: Knob = boolKnob('augment.sharpen', { default: false, doc: 'sharpen each view', flag: 'sharpen' });
    const colour: Knob = mappedKnob('augment.colour', { options: ['keep', 'grey'], values: [false, true], default: false, doc: 'colour of the views', flag: 'colour' });
    const flags = knobFlags([...TRAIN_KNOBS, warmup, sharpen, colour]);
    const added = flags.slice(-3);
    expect(added.map((f) => [f.name, f.group, f.arg])).toEqual([
      ['teacher-warmup', 'consistency', 'N'],
      ['sharpen', 'augmentation', undefined],
      ['colour', 'augmentation', 'NAME'],
    ]);
    const text = usageText(flags);
    expect(section(text, ' consistency', ' augmentation')).toMatch(/^ {2}--teacher-warmup N {4}teacher warm-up steps +default 10$/m);
    expect(section(text, ' augmentation')).toMatch(/^ {2}--sharpen +sharpen each view$/m);
    expect(section(text, ' augmentation')).toMatch(/^ {2}--colour NAME .*colour of the views: keep, grey +default keep$/m);
    expect(USAGE).not.toContain('teacher-warmup');
    expect(flagInput(added[0], '5')).toEqual({ cr: { teacher: { warmup: 5 } } });
    expect(flagInput(added[1], true)).toEqual({ augment: { sharpen: true } });
    expect(flagInput(added[2], 'grey')).toEqual({ augment: { colour: true } });
    expect(() => flagInput(added[0], '2000')).toThrow('--teacher-warmup: expected a whole number between 0 and 1000, got "2000"');
  });

  it('collapses runs of bit widths', () => {
    expect(optionsText([2, 3, 4, 5, 6, 7, 8, 32])).toBe('2–8, 32');
    expect(optionsText([1, 2, 5])).toBe('1, 2, 5');
    expect(optionsText(['kl', 'mse'])).toBe('kl, mse');
  });
});
