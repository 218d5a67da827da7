import { BIT_CHOICES, FULL_PRECISION_BITS as FULL_PRECISION, isBitChoice } from '../vocabulary/bits';
import type { QuantConfig } from '../vocabulary/train-config';

/**
 * Bit widths of a quantized model, 32 meaning "not quantized": wbits for the weights of the inner layers, abits for
 * the activations entering them, firstLastBits for the weights of the first and last layer and the activation entering
 * the last one; perChannel gives weights one step size per output channel instead of one per tensor.
 */
export type { QuantConfig } from '../vocabulary/train-config';

export const FP32_QUANT: QuantConfig = { wbits: 32, abits: 32, firstLastBits: 32, perChannel: false };

export function isQuantized(bits: number): boolean {
  return bits < FULL_PRECISION;
}

const LOW_BITS = BIT_CHOICES.filter((b) => b !== FULL_PRECISION);

/** Validates a bit width against BIT_CHOICES, for models built without a resolved config. */
export function checkBits(bits: number, what: string): void {
  if (!isBitChoice(bits)) {
    throw new RangeError(`${what} must be ${LOW_BITS[0]}–${LOW_BITS[LOW_BITS.length - 1]} bits or ${FULL_PRECISION} (no quantization), got ${bits}`);
  }
}
