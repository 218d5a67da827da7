"""Weight files: safetensors (an 8-byte little-endian header length, a JSON header, then the raw tensors), float32
only, read and written here without the safetensors package. Tensors are named and laid out as in the engine
("fc1/w" is [in, out]); model.load_engine_tensors / model.engine_tensors convert to and from the modules."""
import hashlib
import json
import struct

import torch


def read_safetensors(path: str) -> tuple:
    """({name: float32 tensor}, metadata dict)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: not a safetensors file (only {len(raw)} bytes)")
    (size,) = struct.unpack("<Q", raw[:8])
    if 8 + size > len(raw):
        raise ValueError(f"{path}: truncated (the header says {size} bytes, the file has {len(raw) - 8} after it)")
    header = json.loads(raw[8 : 8 + size])
    meta = header.pop("__metadata__", {})
    body = memoryview(raw)[8 + size :]
    out = {}
    for name, info in header.items():
        start, end = info["data_offsets"]
        if info["dtype"] != "F32" or end > len(body) or end - start != 4 * _count(info["shape"]):
            raise ValueError(f"{path}: tensor {name!r} is damaged or not float32")
        out[name] = torch.frombuffer(bytearray(body[start:end]), dtype=torch.float32).view(info["shape"]) if end > start else torch.zeros(info["shape"])
    return out, meta


def write_safetensors(path: str, tensors: dict, metadata=None):
    header, chunks, at = {}, [], 0
    for name in sorted(tensors):
        data = _bytes(tensors[name])
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [at, at + len(data)]}
        chunks.append(data)
        at += len(data)
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def checksum(tensors: dict) -> str:
    """sha256 over the names and float32 bytes, in name order: equal on two ranks iff they hold the same values."""
    h = hashlib.sha256()
    for name in sorted(tensors):
        h.update(name.encode() + b"\0" + _bytes(tensors[name]))
    return h.hexdigest()


def _bytes(t: torch.Tensor) -> bytes:
    """float32 little-endian bytes (numpy when it is installed, struct otherwise)."""
    t = t.detach().float().contiguous().cpu()
    try:
        return t.numpy().tobytes()
    except (ImportError, RuntimeError):
        return struct.pack(f"<{t.numel()}f", *t.flatten().tolist())


def _count(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n
