/** Saves a blob under a file name through a temporary link (no server involved). */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoke after the click has been handled.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadText(text: string, fileName: string, type: string): void {
  downloadBlob(new Blob([text], { type }), fileName);
}

/** A file-name-safe stamp of the current setup, e.g. "mlp-W2A2-seed0". */
export function fileStem(model: string, wbits: number, abits: number, seed: number): string {
  const b = (n: number) => (n === 32 ? 'FP' : String(n));
  return `${model}-W${b(wbits)}A${b(abits)}-seed${seed}`;
}
