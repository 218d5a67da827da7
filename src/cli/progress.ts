import cliProgress from 'cli-progress';

/** Progress on stderr: a live bar on a terminal, one line per finished run otherwise (logs, CI). */
export class Progress {
  private readonly bar: cliProgress.SingleBar | null;

  constructor(total: number, enabled: boolean) {
    this.bar =
      enabled && process.stderr.isTTY
        ? new cliProgress.SingleBar(
            { stream: process.stderr, format: '{bar} {percentage}% | {value}/{total} steps | ETA {eta_formatted} | {run}', hideCursor: true },
            cliProgress.Presets.shades_classic,
          )
        : null;
    this.bar?.start(total, 0, { run: '' });
  }

  tick(run: string): void {
    this.bar?.increment(1, { run });
  }

  runDone(line: string): void {
    if (this.bar) this.bar.update({ run: line });
    else process.stderr.write(`${line}\n`);
  }

  stop(): void {
    this.bar?.stop();
  }
}
