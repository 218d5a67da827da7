import { DataType, type AttributeValue, type DataTypeId, type NodeProto, type TensorProto } from './proto';

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Little-endian float32 bytes whatever the host's byte order. */
function float32Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new DataView(new ArrayBuffer(values.length * 4));
  for (let i = 0; i < values.length; i++) out.setFloat32(i * 4, values[i], true);
  return bytesOf(out);
}

function int64Bytes(values: readonly number[]): Uint8Array {
  const out = new DataView(new ArrayBuffer(values.length * 8));
  values.forEach((v, i) => out.setBigInt64(i * 8, BigInt(v), true));
  return bytesOf(out);
}

/** Collects the nodes and initializers of one graph; every value name is unique. */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();

  private claim(name: string): string {
    if (this.used.has(name)) throw new Error(`ONNX export: the value name "${name}" is used twice`);
    this.used.add(name);
    return name;
  }

  private init(name: string, dims: number[], dataType: DataTypeId, rawData: Uint8Array): string {
    this.initializers.push({ name: this.claim(name), dims, dataType, rawData });
    return name;
  }

  float(name: string, values: ArrayLike<number>, dims: number[]): string {
    return this.init(name, dims, DataType.FLOAT, float32Bytes(values));
  }

  int8(name: string, values: Int8Array, dims: number[]): string {
    return this.init(name, dims, DataType.INT8, new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)));
  }

  uint8(name: string, values: Uint8Array, dims: number[]): string {
    return this.init(name, dims, DataType.UINT8, Uint8Array.from(values));
  }

  int64(name: string, values: number[], dims: number[]): string {
    return this.init(name, dims, DataType.INT64, int64Bytes(values));
  }

  /** Adds a node with one output, named `name` (the node takes the same name); returns the output. */
  op(opType: string, inputs: string[], name: string, attributes?: Record<string, AttributeValue>, docString?: string): string {
    this.nodes.push({ name, opType, input: inputs, output: [this.claim(name)], attributes, docString });
    return name;
  }
}
