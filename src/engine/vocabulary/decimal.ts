/** A plain decimal number as a person writes it (no hex, binary or blank); NaN otherwise. */
export function parseDecimal(text: string): number {
  return /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text) ? Number(text) : NaN;
}
