/**
 * The exported project under torchrun: `python3 -m torch.distributed.run --nproc_per_node 2 train.py` on the CPU
 * (gloo) trains 20 steps of a small LSQ+CR CNN (BatchNorm, EMA teacher, unlabeled batches, shifted/flipped/noisy
 * views); the loss falls, both ranks end with identical weights (student and teacher), and the two ranks train as
 * one process does: their global loss follows the single-process run's. Skipped where /usr/bin/python3 has no torch.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExportTorch } from '../src/cli/export-torch-run';
import { syntheticDataset } from './helpers/synthetic-dataset';
import { python, torchMissing, torchVersion, writeIdxDataset } from './torch/helpers';

const missing = torchMissing();
if (missing) console.warn(`export-torch torchrun test skipped: ${missing}`);

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'export-torch-torchrun-'));
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const losses = (out: string) => [...out.matchAll(/step (\d+) loss ([0-9.eE+-]+)/g)].map((m) => ({ step: Number(m[1]), loss: Number(m[2]) }));

describe.skipIf(missing !== null)('export-torch: the project under torchrun', () => {
  it('trains 20 steps on 2 CPU ranks (gloo): the loss falls and both ranks hold the same weights', async () => {
    const data = join(root, 'data');
    writeIdxDataset(data, syntheticDataset({ height: 10, width: 10, channels: 1, classes: 4, train: 240, test: 40, seed: 2 }));
    const flags = ['--dataset', `idx:${data}`, '--model', 'cnn-tiny', '--methods', 'lsq+cr', '--steps', '20', '--batch', '16', '--labeled', '80', '--lr', '0.05',
      '--eval-every', '0', '--translate', '1', '--flip', 'on', '--noise', '0.1', '--lambda', '1', '--ramp', '5', '--unlabeled-ratio', '1', '--ema-decay', '0.9'];
    const exportProject = async (dir: string, bits: string[]) => {
      const lines: string[] = [];
      const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
      expect(await runExportTorch([...flags, ...bits, '--out', dir], io), lines.join('\n')).toBe(0);
    };
    // Debian's torch 1.13 launcher on Python 3.11 cannot parse its own default --redirects/--tee (see README).
    const oldLauncher = /^1\./.test(torchVersion());
    const torchrun = (dir: string, port: number, extra: string[] = []) =>
      python(['-m', 'torch.distributed.run', '--nproc_per_node', '2', ...(oldLauncher ? ['--redirects', '1', '--tee', '1'] : []), '--master_port', String(port), 'train.py', '--device', 'cpu', ...extra], { cwd: dir, timeoutMs: 300_000 });
    const alone = (dir: string) => python(['train.py', '--device', 'cpu'], { cwd: dir, timeoutMs: 300_000 });
    const ok = (r: { code: number; stdout: string; stderr: string }) => {
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      return r;
    };
    const mean = (xs: { loss: number }[]) => xs.reduce((a, b) => a + b.loss, 0) / xs.length;
    const relDiff = (a: { loss: number }[], b: { loss: number }[]) => a.map((l, i) => Math.abs(l.loss - b[i].loss) / b[i].loss);

    const project = join(root, 'project');
    await exportProject(project, ['--wbits', '4', '--abits', '4']);
    const ranks = join(root, 'ranks');
    const t0 = Date.now();
    const ddp = ok(await torchrun(project, 29517, ['--rank-weights', ranks]));
    const ddpSeconds = (Date.now() - t0) / 1000;
    const d = losses(ddp.stdout);
    expect(d.map((l) => l.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(mean(d.slice(15))).toBeLessThan(0.8 * mean(d.slice(0, 5)));
    const sums = [...ddp.stdout.matchAll(/rank (\d) weights sha256 ([0-9a-f]{64})/g)].map((m) => [Number(m[1]), m[2]] as const);
    expect(sums.map(([r]) => r).sort()).toEqual([0, 1]);
    expect(sums[0][1]).toBe(sums[1][1]);
    expect(readFileSync(join(ranks, 'rank0.safetensors')).equals(readFileSync(join(ranks, 'rank1.safetensors')))).toBe(true);
    const s = losses(ok(await alone(project)).stdout);
    expect(s).toHaveLength(20);
    const rel = relDiff(d, s);

    // Without quantization no rounding decision can flip: two ranks and one process agree on every step.
    const fp = join(root, 'project-fp');
    await exportProject(fp, ['--wbits', '32', '--abits', '32', '--first-last-bits', '32']);
    const fpRel = relDiff(losses(ok(await torchrun(fp, 29518)).stdout), losses(ok(await alone(fp)).stdout));
    console.log(
      [
        `torchrun, 2 ranks (gloo), ${ddpSeconds.toFixed(1)} s:`,
        ...ddp.stdout.split('\n').filter((l) => /step (1|5|10|15|20) loss|sha256|eval|trained/.test(l)),
        `single process: ${s.map((l) => l.loss.toFixed(4)).join(' ')}`,
        `torchrun:       ${d.map((l) => l.loss.toFixed(4)).join(' ')}`,
        `W4A4: max relative loss difference torchrun vs one process, first 5 steps ${Math.max(...rel.slice(0, 5)).toExponential(2)}, all 20 ${Math.max(...rel).toExponential(2)}`,
        `full precision: all 20 steps ${Math.max(...fpRel).toExponential(2)}`,
      ].join('\n'),
    );
    // Later steps drift once a quantizer input near a rounding boundary rounds the other way.
    expect(Math.max(...rel.slice(0, 5))).toBeLessThan(1e-4);
    expect(fpRel).toHaveLength(20);
    expect(Math.max(...fpRel)).toBeLessThan(1e-4);
  });
});
