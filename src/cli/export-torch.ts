/**
 * Exports a run as a PyTorch project. Usage: npm run export-torch -- [experiment flags | --from results.json] --out DIR
 * (see --help). The project's generator (src/engine/export/torch) needs no TF.js; the initial weights and model-file
 * checks load it.
 */
import { runExportTorch } from './export-torch-run';

const code = await runExportTorch(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
process.exitCode = code;
