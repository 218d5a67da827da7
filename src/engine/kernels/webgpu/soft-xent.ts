/**
 * The losses of a step in three launches instead of about twenty-five: the cross-entropy or the teacher KL of a
 * batch of logits (one workgroup, a row per thread, then a tree sum), its gradient (one thread per logit, each
 * recomputing its row's log-sum-exp, which is cheap for ten classes), and the count of correct predictions.
 * NaN in any logit of a row makes that row's loss and gradient NaN, as the stock ops do.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { COUNT_CORRECT, SOFT_XENT, SOFT_XENT_GRAD, type SoftXentAttrs } from '../contracts';
import { fusedKernel } from '../project-kernel';
import { workgroupSum, workgroupSumDeclaration } from './workgroup-sum';
import { FlatProgram } from './flat-program';

const WORKGROUP = 64;

/**
 * Row r's log-sum-exp of `name`/τ: the max first, so exp never overflows. NaN anywhere in the row gives NaN, tested
 * on the bits (isnan): max may drop a NaN and a software exp may clamp one.
 */
function logSumExp(name: string): string {
  return `
    fn ${name}Lse(r : i32) -> f32 {
      var bad = false;
      var m = ${name}[r * uniforms.classes] / uniforms.temperature;
      for (var j = 0; j < uniforms.classes; j = j + 1) {
        let v = ${name}[r * uniforms.classes + j] / uniforms.temperature;
        bad = bad || isnan(v);
        m = max(m, v);
      }
      var s = 0.0;
      for (var j = 0; j < uniforms.classes; j = j + 1) {
        s = s + exp(${name}[r * uniforms.classes + j] / uniforms.temperature - m);
      }
      return select(m + log(s), uniforms.nan, bad);
    }
  `;
}

/** p_j of row r: the one-hot label, or the teacher's softmax at τ. */
function targetSnippet(kind: SoftXentAttrs['targets']): string {
  return kind === 'labels'
    ? `fn targetLogP(r : i32, j : i32, lse : f32) -> f32 { return 0.0; }
       fn targetP(r : i32, j : i32, lse : f32) -> f32 { return select(0.0, 1.0, targets[r] == j); }`
    : `${logSumExp('targets')}
       fn targetLogP(r : i32, j : i32, lse : f32) -> f32 { return targets[r * uniforms.classes + j] / uniforms.temperature - lse; }
       fn targetP(r : i32, j : i32, lse : f32) -> f32 { return exp(targetLogP(r, j, lse)); }`;
}

function targetLse(kind: SoftXentAttrs['targets']): string {
  return kind === 'labels' ? '0.0' : 'targetsLse(r)';
}

/** `nan` is a NaN passed in: WGSL has no NaN literal, and a constant expression may not be one. */
const UNIFORMS = 'classes : i32, rows : i32, temperature : f32, scale : f32, nan : f32,';

class SoftXentProgram implements WebGPUProgram {
  readonly variableNames = ['logits', 'targets'];
  readonly uniforms = UNIFORMS;
  readonly workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  readonly outputShape = [1];
  readonly dispatchLayout = { x: [0] };
  readonly dispatch: [number, number, number] = [1, 1, 1];
  readonly shaderKey: string;

  constructor(private readonly kind: SoftXentAttrs['targets']) {
    this.shaderKey = `qatSoftXent_${kind}`;
  }

  getUserCode(): string {
    const term =
      this.kind === 'labels'
        ? 'acc = acc + select(lse - logits[r * uniforms.classes + targets[r]] / uniforms.temperature, uniforms.nan, isnan(lse));'
        : `let tl = ${targetLse(this.kind)};
           for (var j = 0; j < uniforms.classes; j = j + 1) {
             let lp = targetLogP(r, j, tl);
             let p = exp(lp);
             // p·(log p − log q) is 0 where p is 0, as the ops take it.
             if (p > 0.0 || p != p) {
               acc = acc + p * (lp - (logits[r * uniforms.classes + j] / uniforms.temperature - lse));
             }
           }`;
    return `
      ${workgroupSumDeclaration(WORKGROUP)}
      ${logSumExp('logits')}
      ${targetSnippet(this.kind)}
      fn main(index : i32) {
        let t = i32(localIndex);
        var acc = 0.0;
        for (var r = t; r < uniforms.rows; r = r + ${WORKGROUP}) {
          let lse = logitsLse(r);
          ${term}
        }
        ${workgroupSum(WORKGROUP)}
        if (t == 0) {
          setOutputAtIndex(0, sums[0] / f32(uniforms.rows) * uniforms.scale);
        }
      }
    `;
  }
}

class SoftXentGradProgram extends FlatProgram {
  readonly variableNames = ['dy', 'logits', 'targets'];
  readonly uniforms = UNIFORMS;
  readonly shaderKey: string;

  constructor(outputShape: number[], private readonly kind: SoftXentAttrs['targets']) {
    super(outputShape);
    this.shaderKey = `qatSoftXentGrad_${kind}`;
  }

  getUserCode(): string {
    return `
      ${logSumExp('logits')}
      ${targetSnippet(this.kind)}
      fn main(index : i32) {
        if (index < uniforms.size) {
          let r = index / uniforms.classes;
          let j = index % uniforms.classes;
          let lse = logitsLse(r);
          let tl = ${targetLse(this.kind)};
          let q = exp(logits[index] / uniforms.temperature - lse);
          let p = targetP(r, j, tl);
          let g = dy[0] * uniforms.scale / (f32(uniforms.rows) * uniforms.temperature) * (q - p);
          setOutputAtIndex(index, select(g, uniforms.nan, isnan(lse) || isnan(tl) || isnan(dy[0])));
        }
      }
    `;
  }
}

class CountCorrectProgram implements WebGPUProgram {
  readonly variableNames = ['logits', 'labels'];
  readonly uniforms = 'classes : i32, rows : i32,';
  readonly workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  readonly outputShape = [1];
  readonly dispatchLayout = { x: [0] };
  readonly dispatch: [number, number, number] = [1, 1, 1];
  readonly shaderKey = 'qatCountCorrect';

  getUserCode(): string {
    return `
      ${workgroupSumDeclaration(WORKGROUP)}
      fn main(index : i32) {
        let t = i32(localIndex);
        var acc = 0.0;
        for (var r = t; r < uniforms.rows; r = r + ${WORKGROUP}) {
          // The first maximum, as argMax takes it.
          var best = logits[r * uniforms.classes];
          var at = 0;
          for (var j = 1; j < uniforms.classes; j = j + 1) {
            let v = logits[r * uniforms.classes + j];
            if (v > best) {
              best = v;
              at = j;
            }
          }
          acc = acc + select(0.0, 1.0, at == labels[r]);
        }
        ${workgroupSum(WORKGROUP)}
        if (t == 0) {
          setOutputAtIndex(0, sums[0]);
        }
      }
    `;
  }
}

function uniformsOf(logits: tf.TensorInfo, attrs: SoftXentAttrs) {
  const [rows, classes] = logits.shape;
  return [
    { type: 'int32', data: [classes] },
    { type: 'int32', data: [rows] },
    { type: 'float32', data: [attrs.temperature] },
    { type: 'float32', data: [attrs.scale] },
    { type: 'float32', data: [Number.NaN] },
  ];
}

export const softXentKernel = fusedKernel(SOFT_XENT, ({ logits, targets }, attrs, backend: WebGPUBackend) => {
  const out = backend.runWebGPUProgram(new SoftXentProgram(attrs.targets), [logits, targets], 'float32', uniformsOf(logits, attrs));
  // One element either way: the scalar's shape over the same buffer.
  return { ...out, shape: [] };
});

export const softXentGradKernel = fusedKernel(SOFT_XENT_GRAD, ({ dy, logits, targets }, attrs, backend: WebGPUBackend) =>
  backend.runWebGPUProgram(new SoftXentGradProgram(logits.shape, attrs.targets), [dy, logits, targets], 'float32', uniformsOf(logits, attrs)),
);

export const countCorrectKernel = fusedKernel(COUNT_CORRECT, ({ logits, labels }, _attrs, backend: WebGPUBackend) => {
  const [rows, classes] = logits.shape;
  const out = backend.runWebGPUProgram(new CountCorrectProgram(), [logits, labels], 'float32', [
    { type: 'int32', data: [classes] },
    { type: 'int32', data: [rows] },
  ]);
  return { ...out, shape: [] };
});
