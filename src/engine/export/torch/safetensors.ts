/**
 * float32 safetensors, the weight files of the exported PyTorch project: an 8-byte little-endian header length, a
 * JSON header ({ name: { dtype, shape, data_offsets } , __metadata__ }), then the raw little-endian tensors. No TF.js,
 * no DOM: the page builds the same files.
 */

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Tensors in name order; metadata values are strings, as the format asks. */
export function encodeSafetensors(tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const sorted = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  let at = 0;
  for (const t of sorted) {
    if (t.data.length !== count(t.shape)) throw new RangeError(`"${t.name}" holds ${t.data.length} values, its shape [${t.shape.join(',')}] ${count(t.shape)}`);
    if (t.name in header || t.name === '__metadata__') throw new RangeError(`tensor name "${t.name}" given twice or reserved`);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [at, at + 4 * t.data.length] };
    at += 4 * t.data.length;
  }
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let text = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - (text.length % 8)) % 8;
  if (pad > 0) text = new Uint8Array([...text, ...new Array<number>(pad).fill(0x20)]);
  const out = new Uint8Array(8 + text.length + at);
  const view = new DataView(out.buffer);
  view.setUint32(0, text.length, true);
  view.setUint32(4, 0, true);
  out.set(text, 8);
  let offset = 8 + text.length;
  for (const t of sorted) {
    for (let i = 0; i < t.data.length; i++) view.setFloat32(offset + 4 * i, t.data[i], true);
    offset += 4 * t.data.length;
  }
  return out;
}

/** Reads a float32 safetensors file; anything else, or a truncated one, fails with a one-line reason. */
export function decodeSafetensors(bytes: Uint8Array): { tensors: NamedTensor[]; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new Error(`not a safetensors file: ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (8 + size > bytes.length) throw new Error(`not a whole safetensors file: its header claims ${size} bytes, ${bytes.length - 8} follow`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + size)));
  } catch {
    throw new Error('not a safetensors file: its header is not JSON');
  }
  const metadata = (header.__metadata__ ?? {}) as unknown as Record<string, string>;
  delete header.__metadata__;
  const body = 8 + size;
  const tensors: NamedTensor[] = [];
  for (const [name, info] of Object.entries(header)) {
    const [start, end] = info.data_offsets ?? [];
    if (info.dtype !== 'F32' || !Array.isArray(info.shape) || end - start !== 4 * count(info.shape) || body + end > bytes.length) {
      throw new Error(`safetensors tensor "${name}" is not whole float32 data`);
    }
    const data = new Float32Array(count(info.shape));
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(body + start + 4 * i, true);
    tensors.push({ name, shape: info.shape, data });
  }
  return { tensors, metadata };
}
