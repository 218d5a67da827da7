/** The bit width that means "not quantized". */
export const FULL_PRECISION_BITS = 32;

/** Bit widths a layer may have: 2–8, or 32 for full precision ("FP"). */
export const BIT_CHOICES = [2, 3, 4, 5, 6, 7, 8, FULL_PRECISION_BITS] as const;
export type BitChoice = (typeof BIT_CHOICES)[number];

export function isBitChoice(bits: unknown): bits is BitChoice {
  return (BIT_CHOICES as readonly unknown[]).includes(bits);
}
