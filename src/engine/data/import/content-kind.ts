/**
 * Guesses what a file that is neither IDX nor CIFAR is, from its first bytes, so a refusal can point at the
 * likely mistake (an image where a dataset was expected, an HTML error page saved under the data's name…).
 */
export type ForeignKind =
  | 'pickle'
  | 'matlab'
  | 'png'
  | 'jpeg'
  | 'gif'
  | 'webp'
  | 'bmp'
  | 'zip'
  | 'pdf'
  | '7z'
  | 'bzip2'
  | 'xz'
  | 'rar'
  | 'npy'
  | 'hdf5'
  | 'html'
  | 'text';

const DESCRIPTIONS: Record<ForeignKind, string> = {
  pickle: 'Python pickle data (the Python version of a dataset)',
  matlab: 'a MATLAB .mat file',
  png: 'a PNG image',
  jpeg: 'a JPEG image',
  gif: 'a GIF image',
  webp: 'a WebP image',
  bmp: 'a BMP image',
  zip: 'a ZIP archive (unzip it and drop the files inside)',
  pdf: 'a PDF document',
  '7z': 'a 7-Zip archive (unpack it and drop the files inside)',
  bzip2: 'bzip2-compressed data (unpack it and drop the files inside)',
  xz: 'xz-compressed data (unpack it and drop the files inside)',
  rar: 'a RAR archive (unpack it and drop the files inside)',
  npy: 'a NumPy .npy array',
  hdf5: 'an HDF5 file',
  html: 'an HTML page',
  text: 'text',
};

const startsWith = (bytes: Uint8Array, sig: number[], at = 0): boolean =>
  bytes.length >= at + sig.length && sig.every((b, i) => bytes[at + i] === b);

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

/** True when the first bytes are printable ASCII or UTF-8 text (tabs and line breaks allowed). */
export function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 512);
  if (head.length === 0) return false;
  for (let i = 0; i < head.length; i++) {
    const b = head[i];
    if (b === 9 || b === 10 || b === 13) continue;
    if (b < 0x20 || b === 0x7f) return false;
  }
  try {
    // Text cut mid-character at 512 bytes still decodes once the last few bytes are dropped.
    new TextDecoder('utf-8', { fatal: true }).decode(head.length === 512 ? head.subarray(0, 508) : head);
    return true;
  } catch {
    return false;
  }
}

export function foreignKind(bytes: Uint8Array): ForeignKind | null {
  // Pickle protocol 2–5 opens with PROTO (0x80) and the version.
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5) return 'pickle';
  if (startsWith(bytes, ascii('MATLAB'))) return 'matlab';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, ascii('GIF8'))) return 'gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp';
  if (startsWith(bytes, ascii('BM')) && bytes.length >= 26) return 'bmp';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (startsWith(bytes, ascii('%PDF'))) return 'pdf';
  if (startsWith(bytes, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return '7z';
  if (startsWith(bytes, ascii('BZh'))) return 'bzip2';
  if (startsWith(bytes, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (startsWith(bytes, ascii('Rar!'))) return 'rar';
  if (startsWith(bytes, [0x93, ...ascii('NUMPY')])) return 'npy';
  if (startsWith(bytes, [0x89, ...ascii('HDF')])) return 'hdf5';
  if (looksLikeText(bytes)) {
    const head = new TextDecoder().decode(bytes.subarray(0, 512)).trimStart().toLowerCase();
    return head.startsWith('<!doctype html') || head.startsWith('<html') ? 'html' : 'text';
  }
  return null;
}

/** "a PNG image", "text ("first words…")", or null when the bytes are not recognised. */
export function describeForeign(bytes: Uint8Array): string | null {
  const kind = foreignKind(bytes);
  if (kind === null) return null;
  if (kind === 'text' || kind === 'html') {
    const quote = new TextDecoder().decode(bytes.subarray(0, 40)).replace(/\s+/g, ' ').trim();
    const more = bytes.length > 40 ? '…' : '';
    const what = kind === 'html' ? 'an HTML page (perhaps an error page saved instead of the file)' : 'text';
    return `${what} ("${quote}${more}")`;
  }
  return DESCRIPTIONS[kind];
}
