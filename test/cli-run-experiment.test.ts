import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseModelFile } from '../src/engine/export/model-file-format';

const run = promisify(execFile);

describe('npm run experiment, one step', () => {
  it('times the only step instead of printing NaN ms/step, and --save-models writes the model file results.json names', async () => {
    const out = mkdtempSync(join(tmpdir(), 'qat-one-'));
    const r = await run('npx', ['tsx', 'src/cli/experiment.ts', '--model', 'mlp', '--methods', 'lsq', '--labeled', '20', '--steps', '1', '--batch', '4', '--backend', 'cpu', '--out', out, '--no-progress', '--save-models'], { timeout: 300_000 });
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/NaN/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { runs: { msPerStep: number; modelFile: string }[] };
    expect(results.runs[0].msPerStep).toBeGreaterThan(0);
    const file = parseModelFile(readFileSync(join(out, results.runs[0].modelFile), 'utf8'));
    expect(file.spec.name).toBe('mlp');
    expect(file.steps).toBe(1);
    expect(file.config.method).toBe('lsq');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).not.toMatch(/NaN/);
  });
});
