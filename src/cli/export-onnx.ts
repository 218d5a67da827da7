/**
 * Exports a model file to ONNX (QDQ). Usage: npm run export-onnx -- <model file> --out F.onnx (see --help).
 * The converter itself (src/engine/export/onnx) needs no TF.js; only --dataset loads it.
 */
import { runExportOnnx } from './export-onnx-run';

const code = await runExportOnnx(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
process.exitCode = code;
