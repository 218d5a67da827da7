/** Bit widths of a quantized model. 32 means "not quantized". */
export interface QuantConfig {
  /** Weights of the inner layers. */
  wbits: number;
  /** Activations entering the inner layers. */
  abits: number;
  /** Weights of the first and last layer, and the activation entering the last layer. */
  firstLastBits: number;
  /** One step size per output channel for weights, instead of one per tensor. */
  perChannel: boolean;
}

const FULL_PRECISION = 32;

export const FP32_QUANT: QuantConfig = { wbits: 32, abits: 32, firstLastBits: 32, perChannel: false };

export function isQuantized(bits: number): boolean {
  return bits < FULL_PRECISION;
}

/** Validates a bit width: 2–8 bits, or 32 for full precision. */
export function checkBits(bits: number, what: string): void {
  if (!(Number.isInteger(bits) && ((bits >= 2 && bits <= 8) || bits === FULL_PRECISION))) {
    throw new RangeError(`${what} must be 2–8 bits or 32 (no quantization), got ${bits}`);
  }
}
