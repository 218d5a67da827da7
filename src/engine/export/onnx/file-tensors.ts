import { fromBase64, type ModelFile, type StoredTensor } from '../model-file-format';

/** Bits of a quantizer, or null where the layer is not quantized. */
export type Bits = number | null;

/** Typed, checked access to a model file's tensors; every failure names the tensor. */
export class FileTensors {
  private readonly byName = new Map<string, StoredTensor>();
  private readonly read = new Set<string>();

  constructor(file: ModelFile) {
    for (const t of file.tensors) {
      if (typeof t?.name !== 'string') throw new Error('the model file is damaged: a tensor has no name');
      if (this.byName.has(t.name)) throw new Error(`the model file is damaged: it holds "${t.name}" twice`);
      this.byName.set(t.name, t);
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The values of `name`, which must have exactly `shape`; all finite. */
  get(name: string, shape: readonly number[]): Float32Array {
    const t = this.byName.get(name);
    if (!t) throw new Error(`the model file has no tensor "${name}"`);
    if (!Array.isArray(t.shape) || t.shape.join(',') !== shape.join(',')) {
      throw new Error(`"${name}" has shape [${String(t.shape)}], the model needs [${shape.join(',')}]`);
    }
    const values = fromBase64(String(t.data), name);
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new Error(`"${name}" holds ${values.length} values, the model needs ${size}`);
    if (!values.every(Number.isFinite)) throw new Error(`"${name}" holds values that are not finite (a diverged run?)`);
    this.read.add(name);
    return values;
  }

  /**
   * A learned step size: present exactly where the spec quantizes (bits ≠ null), with the lattice the spec gives,
   * shaped [] (per tensor) or [channels] (per channel), all positive.
   */
  step(name: string, bits: Bits, signed: boolean, channels: number | null): Float32Array | null {
    const t = this.byName.get(name);
    if (bits === null) {
      if (t) throw new Error(`the model file holds a step "${name}" where its spec has no quantizer`);
      return null;
    }
    if (!t) throw new Error(`the model file has no tensor "${name}"`);
    if (t.quant?.bits !== bits || t.quant?.signed !== signed) {
      throw new Error(`"${name}" is a ${t.quant?.bits}-bit ${t.quant?.signed ? 'signed' : 'unsigned'} step; the spec asks for ${bits}-bit ${signed ? 'signed' : 'unsigned'}`);
    }
    const s = this.get(name, channels === null ? [] : [channels]);
    if (!s.every((v) => v > 0)) throw new Error(`"${name}" holds a step size that is not positive`);
    return s;
  }

  /** Names never read: a file of another architecture under this model's name. */
  unread(): string[] {
    return [...this.byName.keys()].filter((n) => !this.read.has(n));
  }
}
