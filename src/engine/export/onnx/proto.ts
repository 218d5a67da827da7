/**
 * The part of ONNX's protobuf schema (onnx/onnx.proto, IR version 7+) that an inference graph needs, written with
 * protobufjs's minimal runtime: its Writer does the wire format (varints, 64-bit integers, length prefixes), the
 * field numbers below are onnx.proto's. protobufjs's reflection builds (light/full) compile encoders with
 * `Function(...)`, which the page's Content-Security-Policy forbids (no 'unsafe-eval'); the minimal runtime does
 * not, so this module runs on the page's main thread, in a Worker and in Node alike. No TF.js here.
 */
import protobuf from 'protobufjs/minimal.js';

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT64: 7 } as const;
export type DataTypeId = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values used here. */
const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export interface TensorProto {
  name: string;
  dims: number[];
  dataType: DataTypeId;
  /** Little-endian element bytes (TensorProto.raw_data). */
  rawData: Uint8Array;
}

export type AttributeValue = number | number[] | string | { float: number } | { floats: number[] };

export interface NodeProto {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  /** Integers (INT/INTS) unless wrapped as { float } / { floats }; strings are STRING. */
  attributes?: Record<string, AttributeValue>;
  docString?: string;
}

export interface ValueInfoProto {
  name: string;
  elemType: DataTypeId;
  /** A number is a fixed size, a string a symbolic one (dim_param). */
  shape: (number | string)[];
  docString?: string;
}

export interface GraphProto {
  name: string;
  nodes: NodeProto[];
  initializers: TensorProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  docString?: string;
}

export interface ModelProto {
  irVersion: number;
  opsetImports: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  docString?: string;
  graph: GraphProto;
  metadata?: Record<string, string>;
}

type Writer = protobuf.Writer;

const LEN = 2;
const VARINT = 0;
const FIXED32 = 5;
const tag = (field: number, wire: number) => (field << 3) | wire;

/** A nested message: tag, then the message's bytes with their length in front. */
function message(w: Writer, field: number, write: (w: Writer) => void): void {
  w.uint32(tag(field, LEN)).fork();
  write(w);
  w.ldelim();
}

function str(w: Writer, field: number, value: string | undefined): void {
  if (value) w.uint32(tag(field, LEN)).string(value);
}

function int64(w: Writer, field: number, value: number): void {
  w.uint32(tag(field, VARINT)).int64(value);
}

/** Repeated int64, packed (proto3's default encoding; ONNX readers take packed and unpacked alike). */
function packedInt64(w: Writer, field: number, values: readonly number[]): void {
  if (values.length === 0) return;
  w.uint32(tag(field, LEN)).fork();
  for (const v of values) w.int64(v);
  w.ldelim();
}

function writeTensor(w: Writer, t: TensorProto): void {
  packedInt64(w, 1, t.dims); // dims
  w.uint32(tag(2, VARINT)).int32(t.dataType); // data_type
  str(w, 8, t.name); // name
  w.uint32(tag(9, LEN)).bytes(t.rawData); // raw_data
}

function writeAttribute(w: Writer, name: string, value: AttributeValue): void {
  str(w, 1, name); // name
  if (typeof value === 'number') {
    int64(w, 3, value); // i
    w.uint32(tag(20, VARINT)).int32(AttributeType.INT);
  } else if (typeof value === 'string') {
    w.uint32(tag(4, LEN)).bytes(new TextEncoder().encode(value)); // s
    w.uint32(tag(20, VARINT)).int32(AttributeType.STRING);
  } else if (Array.isArray(value)) {
    packedInt64(w, 8, value); // ints
    w.uint32(tag(20, VARINT)).int32(AttributeType.INTS);
  } else if ('float' in value) {
    w.uint32(tag(2, FIXED32)).float(value.float); // f
    w.uint32(tag(20, VARINT)).int32(AttributeType.FLOAT);
  } else {
    w.uint32(tag(7, LEN)).fork(); // floats, packed
    for (const f of value.floats) w.float(f);
    w.ldelim();
    w.uint32(tag(20, VARINT)).int32(AttributeType.FLOATS);
  }
}

function writeNode(w: Writer, n: NodeProto): void {
  for (const i of n.input) w.uint32(tag(1, LEN)).string(i); // input (an empty name is an omitted optional input)
  for (const o of n.output) w.uint32(tag(2, LEN)).string(o); // output
  str(w, 3, n.name); // name
  str(w, 4, n.opType); // op_type
  for (const [name, value] of Object.entries(n.attributes ?? {})) message(w, 5, (m) => writeAttribute(m, name, value)); // attribute
  str(w, 6, n.docString); // doc_string
}

function writeValueInfo(w: Writer, v: ValueInfoProto): void {
  str(w, 1, v.name); // name
  message(w, 2, (type) =>
    // TypeProto.tensor_type
    message(type, 1, (tensor) => {
      tensor.uint32(tag(1, VARINT)).int32(v.elemType); // elem_type
      message(tensor, 2, (shape) => {
        // TensorShapeProto.dim
        for (const d of v.shape) {
          message(shape, 1, (dim) => (typeof d === 'number' ? int64(dim, 1, d) : str(dim, 2, d))); // dim_value | dim_param
        }
      });
    }),
  );
  str(w, 3, v.docString); // doc_string
}

function writeGraph(w: Writer, g: GraphProto): void {
  for (const n of g.nodes) message(w, 1, (m) => writeNode(m, n)); // node
  str(w, 2, g.name); // name
  for (const t of g.initializers) message(w, 5, (m) => writeTensor(m, t)); // initializer
  str(w, 10, g.docString); // doc_string
  for (const v of g.inputs) message(w, 11, (m) => writeValueInfo(m, v)); // input
  for (const v of g.outputs) message(w, 12, (m) => writeValueInfo(m, v)); // output
}

/** Serialises a ModelProto. */
export function encodeModel(m: ModelProto): Uint8Array {
  const w = protobuf.Writer.create();
  int64(w, 1, m.irVersion); // ir_version
  str(w, 2, m.producerName); // producer_name
  str(w, 3, m.producerVersion); // producer_version
  str(w, 6, m.docString); // doc_string
  message(w, 7, (g) => writeGraph(g, m.graph)); // graph
  for (const o of m.opsetImports) {
    message(w, 8, (op) => {
      // opset_import
      str(op, 1, o.domain);
      int64(op, 2, o.version);
    });
  }
  for (const [key, value] of Object.entries(m.metadata ?? {})) {
    message(w, 14, (e) => {
      // metadata_props
      str(e, 1, key);
      str(e, 2, value);
    });
  }
  // A copy as a plain Uint8Array (in Node the writer's result is a Buffer, possibly a slice of a shared pool).
  return new Uint8Array(w.finish());
}
