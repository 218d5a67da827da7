/**
 * The engine's LSQ lattice in plain numbers (no TF.js): integer ranges, the rounding rule, and the integer codes of a
 * weight tensor, computed exactly as the engine's forward pass does in float32 (src/engine/quant/lsq.ts).
 */

/** Integer range of a b-bit quantizer: signed [−2^(b−1), 2^(b−1)−1], unsigned [0, 2^b−1]; Qn, Qp ≥ 0. */
export function quantRange(bits: number, signed: boolean): { qn: number; qp: number } {
  return signed ? { qn: 2 ** (bits - 1), qp: 2 ** (bits - 1) - 1 } : { qn: 0, qp: 2 ** bits - 1 };
}

/**
 * Round half to even: TF.js's Round (the cpu backend's "banker's rounding", WGSL's round()) and ONNX
 * QuantizeLinear's rounding alike.
 */
export function roundHalfEven(v: number): number {
  const base = Math.floor(v);
  const frac = v - base;
  if (frac < 0.5) return base;
  if (frac > 0.5) return base + 1;
  return base % 2 === 0 ? base : base + 1;
}

/**
 * Codes round(clip(w/s, −Qn, Qp)) of a signed b-bit weight quantizer, the step one value (per tensor) or one per
 * entry of the last axis (per channel). w/s is a float32 division, as in the engine (Math.fround of the double
 * quotient of two float32 values is the correctly rounded float32 quotient).
 */
export function weightCodes(w: Float32Array, step: Float32Array, bits: number): Int8Array {
  const { qn, qp } = quantRange(bits, true);
  const channels = step.length;
  const codes = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const v = Math.fround(w[i] / step[channels === 1 ? 0 : i % channels]);
    codes[i] = roundHalfEven(Math.min(Math.max(v, -qn), qp));
  }
  return codes;
}

/** code·s in float32: the engine's quantized weight, and what ONNX DequantizeLinear (zero point 0) computes. */
export function dequantizeCodes(codes: Int8Array, step: Float32Array): Float32Array {
  const channels = step.length;
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = codes[i] * step[channels === 1 ? 0 : i % channels];
  return out;
}
